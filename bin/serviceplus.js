#!/usr/bin/env node
// The one CLI of ServicePlus. It runs the TypeScript sources through tsx: there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
