// Input schemas (zod, strict: unknown fields are errors) and small parse helpers that turn a
// failure into a 400 HttpError naming the problem.
import { z } from 'zod';
import { HttpError } from '../../shared/web/http-error.ts';

export const createUserSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
});

export const createOrderSchema = z.strictObject({
  userId: z.number().int().positive(),
  productId: z.number().int().positive(),
  quantity: z.number().int().min(1).max(100),
});

export const paymentSchema = z.strictObject({
  status: z.enum(['success', 'failed']).optional(),
});

export const customErrorSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  message: z.string().max(200),
});

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
    throw new HttpError(400, 'validation_error', issues.join('; '), {}, result.error.issues);
  }
  return result.data;
}

/** True when a request carried no body at all (express.json leaves req.body undefined). */
export function isEmptyBody(body: unknown): boolean {
  return body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
}

/** Path ids: positive integers within the safe range, else 400 (not a lookup at all). */
export function parseId(raw: string | string[] | undefined, what: string): number {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new HttpError(400, 'invalid_id', `${what} id must be a positive integer`);
  }
  return Number(value);
}

export function parseLimit(raw: unknown, fallback = 50, max = 500): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) throw new HttpError(400, 'validation_error', `limit must be an integer between 1 and ${max}`);
  const n = Number(raw);
  if (n < 1 || n > max) throw new HttpError(400, 'validation_error', `limit must be an integer between 1 and ${max}`);
  return n;
}
