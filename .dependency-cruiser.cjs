// The layering rules `npm test` enforces (dependency-cruiser). They keep the shape described in
// docs/architecture.md true as the code grows: contexts talk only through events, shared code
// depends on nothing above it, and domain rules stay pure.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; split the shared part out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contexts-are-independent',
      severity: 'error',
      comment: "A context learns about another from its events, never from its code or tables.",
      from: { path: '^processors/([^/]+)/', pathNot: '^processors/runtime/' },
      to: { path: '^processors/([^/]+)/', pathNot: ['^processors/$1/', '^processors/runtime/'] },
    },
    {
      name: 'platform-depends-on-nothing-above-it',
      severity: 'error',
      comment: 'platform/ is shared by every process; it may use schemas/ (the contracts) and nothing else of ours.',
      from: { path: '^platform/' },
      to: { path: '^(gateway|processors|tools|migrations|test)/' },
    },
    {
      name: 'gateway-does-not-reach-into-processors',
      severity: 'error',
      comment: 'The gateway speaks to processors through Kafka and reads their published views only.',
      from: { path: '^gateway/' },
      to: { path: '^processors/' },
    },
    {
      name: 'runtime-knows-no-context',
      severity: 'error',
      comment: 'The shared consumer runtime serves every context and depends on none.',
      from: { path: '^processors/runtime/' },
      to: { path: '^processors/(?!runtime/)' },
    },
    {
      name: 'domain-rules-are-pure',
      severity: 'error',
      comment:
        'Domain rules are functions of (state, command, now): no database, broker, cache, clock service or HTTP. ' +
        'Only repositories, handlers and process entries (main.ts) do I/O.',
      from: {
        path: '^processors/(?!runtime/)[^/]+/',
        pathNot: ['\\.repository\\.ts$', '\\.handlers?\\.ts$', '/main\\.ts$', '\\.relay\\.ts$'],
      },
      to: {
        path: [
          '^platform/(database|postgres|kafka|redis|schema-registry|health|topic-setup)',
          '^node_modules/(pg|knex|ioredis|@confluentinc|@kafkajs|koa)/',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.toolchain|\\.stack)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
