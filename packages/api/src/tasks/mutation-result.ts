import { invalidInputError, notFoundError, versionConflictError } from '../errors.js';
import type { MutationResult } from './task-mutations.js';

/** The value of a successful mutation, or the TRPCError its failure maps to. */
export function unwrap<T>(result: MutationResult<T>): T {
  if (result.ok) return result.value;
  switch (result.error) {
    case 'not-found':
      throw notFoundError('Task');
    case 'version-conflict':
      throw versionConflictError(result.current);
    case 'invalid':
      throw invalidInputError(result.field, result.message);
  }
}
