// Users: create (body {name,email}, or a realistic faker user without a body), login, logout, read.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import { faker } from '@faker-js/faker';
import type { AppContext } from '../context.ts';
import { notFound } from '../../shared/web/http-error.ts';
import { createUser, loginUser, logoutUser } from '../db/users-repository.ts';
import { createUserSchema, isEmptyBody, parseBody, parseId } from '../http/validation.ts';

function fakeUser(): { name: string; email: string } {
  const first = faker.person.firstName();
  const name = `${first}${faker.number.int({ min: 1, max: 999 })}`;
  return { name, email: faker.internet.email({ firstName: first, provider: 'example.com' }).toLowerCase() };
}

export function usersRouter(ctx: AppContext): Router {
  const r = newRouter();

  r.post(
    '/create',
    ctx.write('users.create', (req) => {
      const input = isEmptyBody(req.body) ? fakeUser() : parseBody(createUserSchema, req.body);
      return async (tx) => {
        const user = await createUser(tx, input.name, input.email);
        return {
          status: 201,
          body: user,
          onCommit: () => {
            ctx.metrics.usersCreated.inc();
            req.log.info({ userId: user.id }, 'user created');
          },
        };
      };
    }),
  );

  r.post(
    '/login/:id',
    ctx.write('users.login', (req) => {
      const id = parseId(req.params.id, 'user');
      return async (tx) => {
        const user = await loginUser(tx, id);
        if (user === undefined) throw notFound('user', id);
        return { status: 200, body: user, onCommit: () => ctx.metrics.logins.inc() };
      };
    }),
  );

  r.post(
    '/logout/:id',
    ctx.write('users.logout', (req) => {
      const id = parseId(req.params.id, 'user');
      return async (tx) => {
        const result = await logoutUser(tx, id);
        if (result === undefined) throw notFound('user', id);
        return { status: 200, body: result.user, onCommit: () => (result.changed ? ctx.metrics.logouts.inc() : undefined) };
      };
    }),
  );

  r.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, 'user');
    ctx.requireSchema();
    const user = await ctx.users.get(id);
    if (user === undefined) throw notFound('user', id);
    res.json(user);
  });

  return r;
}
