import { describe, expect, it } from 'vitest';
import type { ServiceModule } from './module.ts';
import { startModules, stopModules } from './module.ts';

function fakeModule(name: string, log: string[], failOn?: 'start' | 'stop'): ServiceModule {
  return {
    name,
    routes: async () => undefined,
    readinessChecks: [],
    async start() {
      if (failOn === 'start') throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
      if (failOn === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('service-kit: module lifecycle', () => {
  it('a failed start stops the modules already started, newest first, and rethrows', async () => {
    const log: string[] = [];
    const modules = [fakeModule('catalog', log), fakeModule('intake', log), fakeModule('review', log, 'start')];
    await expect(startModules(modules)).rejects.toThrow('review cannot start');
    expect(log).toEqual(['start catalog', 'start intake', 'stop intake', 'stop catalog']);
  });

  it('stop asks every module even when one fails, then reports the failure', async () => {
    const log: string[] = [];
    const modules = [fakeModule('a', log), fakeModule('b', log, 'stop'), fakeModule('c', log)];
    await expect(stopModules(modules)).rejects.toThrow('1 module(s) failed to stop');
    expect(log).toEqual(['stop c', 'stop b', 'stop a']);
  });
});
