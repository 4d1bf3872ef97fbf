/** An access or refresh token, or a function that returns the current one (e.g. from your auth store). */
export type TokenSource =
  | string
  | null
  | undefined
  | (() => string | null | undefined | Promise<string | null | undefined>);

export const readToken = async (source: TokenSource) =>
  (typeof source === 'function' ? await source() : source) ?? undefined;
