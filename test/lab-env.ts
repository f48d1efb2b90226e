// Every integration test file sees the checkout's .env as the smartshop command does.
import { loadDotEnv } from '../shared/dot-env.ts';

loadDotEnv(process.env);
