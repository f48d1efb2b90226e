// Users: create (body {name,email}, or a realistic faker user without a body), login, logout, read.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import { faker } from '@faker-js/faker';
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { createUserSchema, isEmptyBody, parseBody, parseId } from '../http/validation.ts';

function fakeUser(): { name: string; email: string } {
  const first = faker.person.firstName();
  const name = `${first}${faker.number.int({ min: 1, max: 999 })}`;
  return { name, email: faker.internet.email({ firstName: first, provider: 'example.com' }).toLowerCase() };
}

export function usersRouter(ctx: AppContext): Router {
  const r = newRouter();

  r.post('/create', ctx.idempotent, async (req, res) => {
    ctx.requireSchema();
    const input = isEmptyBody(req.body) ? fakeUser() : parseBody(createUserSchema, req.body);
    const user = await ctx.users.create(input.name, input.email);
    ctx.metrics.usersCreated.inc();
    req.log.info({ userId: user.id }, 'user created');
    res.status(201).json(user);
  });

  r.post('/login/:id', ctx.idempotent, async (req, res) => {
    const id = parseId(req.params.id, 'user');
    ctx.requireSchema();
    const user = await ctx.users.login(id);
    if (user === undefined) throw notFound('user', id);
    ctx.metrics.logins.inc();
    res.json(user);
  });

  r.post('/logout/:id', ctx.idempotent, async (req, res) => {
    const id = parseId(req.params.id, 'user');
    ctx.requireSchema();
    const result = await ctx.users.logout(id);
    if (result === undefined) throw notFound('user', id);
    if (result.changed) ctx.metrics.logouts.inc();
    res.json(result.user);
  });

  r.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, 'user');
    ctx.requireSchema();
    const user = await ctx.users.get(id);
    if (user === undefined) throw notFound('user', id);
    res.json(user);
  });

  return r;
}
