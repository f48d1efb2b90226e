import { describe, expect, it } from 'vitest';
import { isEmptyBody, createOrderSchema, createUserSchema, customErrorSchema, parseBody, parseId, parseLimit, paymentSchema } from './validation.ts';
import { HttpError } from '../../shared/web/http-error.ts';

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof HttpError ? e.status : -1;
  }
};

describe('validation', () => {
  it('accepts a good order and rejects wrong types, unknown fields, zero or negative quantities', () => {
    expect(parseBody(createOrderSchema, { userId: 1, productId: 2, quantity: 3 })).toEqual({ userId: 1, productId: 2, quantity: 3 });
    expect(status(() => parseBody(createOrderSchema, { userId: '1', productId: 2, quantity: 3 }))).toBe(400);
    expect(status(() => parseBody(createOrderSchema, { userId: 1, productId: 2, quantity: 3, coupon: 'x' }))).toBe(400);
    expect(status(() => parseBody(createOrderSchema, { userId: 1, productId: 2, quantity: 0 }))).toBe(400);
    expect(status(() => parseBody(createOrderSchema, { userId: 1, productId: 2, quantity: -1 }))).toBe(400);
    expect(status(() => parseBody(createOrderSchema, { userId: 1, productId: 2, quantity: 1.5 }))).toBe(400);
  });
  it('validates users, payments and custom errors', () => {
    expect(status(() => parseBody(createUserSchema, { name: 'A', email: 'not-an-email' }))).toBe(400);
    expect(parseBody(paymentSchema, {})).toEqual({});
    expect(status(() => parseBody(paymentSchema, { status: 'maybe' }))).toBe(400);
    expect(status(() => parseBody(customErrorSchema, { status: 399, message: 'x' }))).toBe(400);
    expect(status(() => parseBody(customErrorSchema, { status: 600, message: 'x' }))).toBe(400);
    expect(status(() => parseBody(customErrorSchema, { status: 503, message: 'x'.repeat(201) }))).toBe(400);
    expect(parseBody(customErrorSchema, { status: 599, message: 'ok' })).toEqual({ status: 599, message: 'ok' });
  });
  it('treats only a missing body or {} as empty', () => {
    expect(isEmptyBody(undefined)).toBe(true);
    expect(isEmptyBody({})).toBe(true);
    expect(isEmptyBody([])).toBe(false);
    expect(isEmptyBody({ a: 1 })).toBe(false);
  });
  it('parses ids and limits', () => {
    expect(parseId('42', 'order')).toBe(42);
    for (const bad of ['0', '-1', 'abc', '1.5', '99999999999999999', undefined]) expect(status(() => parseId(bad, 'order'))).toBe(400);
    expect(parseLimit(undefined)).toBe(50);
    expect(parseLimit('500')).toBe(500);
    expect(status(() => parseLimit('501'))).toBe(400);
    expect(status(() => parseLimit('0'))).toBe(400);
    expect(status(() => parseLimit(['1', '2']))).toBe(400);
  });
});
