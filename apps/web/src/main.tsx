import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { isTaskwireError } from '@taskwire/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient, TRPCProvider } from './api';
import { App } from './app';
import { session } from './session';
import './styles.css';

// An UNAUTHORIZED that reaches here survived the client's refresh: the session is over (signed out
// everywhere, password changed, account deleted). Back to the sign-in screen.
const endSessionOnUnauthorized = (error: unknown) => {
  if (isTaskwireError(error) && error.data?.code === 'UNAUTHORIZED' && session.get()) {
    session.signedOut();
    queryClient.clear();
  }
};
const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: endSessionOnUnauthorized }),
  mutationCache: new MutationCache({ onError: endSessionOnUnauthorized }),
  defaultOptions: {
    // Live events keep lists fresh; no refetch storms on every focus.
    queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: 1 },
  },
});
const trpcClient = createApiClient();
// Nothing cached for one user may show to the next.
let userId = session.get()?.user.id;
session.subscribe(() => {
  const next = session.get()?.user.id;
  if (next !== userId) queryClient.clear();
  userId = next;
});

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
