import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient, TRPCProvider } from './api';
import { App } from './app';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    // Live events keep lists fresh; no refetch storms on every focus.
    queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: 1 },
  },
});
const trpcClient = createApiClient();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <App />
        </TRPCProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
