import { processHeapFlagMb } from './worker-thread';

describe('processHeapFlagMb', () => {
  const saved = { options: process.env.NODE_OPTIONS, argv: process.execArgv };
  afterEach(() => {
    if (saved.options === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved.options;
    process.execArgv = saved.argv;
  });

  it('reads the heap flag node was started with, the last one counting, arguments over NODE_OPTIONS', () => {
    process.execArgv = ['--enable-source-maps'];
    delete process.env.NODE_OPTIONS;
    expect(processHeapFlagMb()).toBeUndefined();
    process.env.NODE_OPTIONS = '--max_old_space_size=512 --trace-warnings';
    expect(processHeapFlagMb()).toBe(512);
    process.execArgv = ['--max-old-space-size=256'];
    expect(processHeapFlagMb()).toBe(256);
  });
});
