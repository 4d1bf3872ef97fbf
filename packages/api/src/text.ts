import { z } from 'zod';

// Inputs that zod would accept but Postgres cannot store: refuse them as BAD_REQUEST up front,
// or they would surface as a 500 from the database.

/** A string schema that refuses the NUL character (Postgres text cannot hold it). */
export function noNul<T extends z.ZodType<string>>(schema: T) {
  return schema.refine((value) => !value.includes('\u0000'), { message: 'Must not contain NUL characters' });
}

const MAX_OFFSET_MINUTES = 15 * 60 + 59;

/**
 * An ISO 8601 date-time with Z or an offset, normalised to UTC (`…Z`), in years 1000–9999. Postgres
 * takes years 1–9999 and offsets up to ±15:59 (zod's format alone would let year 0 or +20:00
 * through), but PGlite reads years below 100 back as 1950–2049, so early years are refused rather
 * than silently changed.
 */
export const timestampSchema = z.iso
  .datetime({ offset: true })
  .refine(
    (value) => {
      const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value);
      if (offset && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES) return false;
      const year = new Date(value).getUTCFullYear();
      return year >= 1000 && year <= 9999;
    },
    { message: 'Out of range: years 1000–9999, offsets up to ±15:59' },
  )
  .transform((value) => new Date(value).toISOString());
