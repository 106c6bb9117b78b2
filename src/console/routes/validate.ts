// The shapes shared by the console routes and the one way a route answers a request it cannot read.
import type { Response } from 'express';
import { z } from 'zod';

export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export const IdParams = z.object({ id: Id });

export const UNREADABLE = 'İstek okunamadı.';

/** The first problem, when it is one of our Turkish texts; zod's own (English) messages are not shown. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue && !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too') ? issue.message : UNREADABLE;
}

/**
 * The value in the schema's shape, or undefined after answering 400 with `text` (by default the
 * first problem's text). Route bodies read `if (!x) return;`.
 */
export function parsed<T extends z.ZodType>(schema: T, value: unknown, response: Response, text?: string): z.output<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  response.status(400).json({ error: text ?? firstIssue(result.error) });
  return undefined;
}
