module.exports = { rootDir: '..', testEnvironment: 'node', testMatch: ['<rootDir>/.scratch/sample.spec.ts'], transform: { '^.+\\.(t|j)s$': '@swc/jest' } };
