// Loaded before every system test file (jest.config.cjs): see the comment there.
jest.setTimeout(120_000);
