// The layers of src/ (README, "Layout"), checked by `npm run lint` and so by `npm test`: each part
// imports only the parts below it, and no file imports itself back through a cycle, not even a
// type-only one.
//
// From the top: entry points (cli, main); the front ends (channels for citizens, console for
// agents; integrations and open311 for other systems, below the console that manages their keys
// and failed deliveries) and the HTTP server they share; the bot; dialogs and handoff; privacy, tickets and
// media (what citizens send); messaging (the adapter, store and outbox); content and the NLU; storage. config, log and the
// generated Prisma client are below everything and open to all; log may use privacy/mask.ts.
const LAYERS = {
  cli: ['main', 'bot', 'console', 'content', 'messaging', 'nlu', 'storage'],
  main: ['channels', 'console', 'integrations', 'open311', 'http', 'bot', 'dialogs', 'handoff', 'privacy', 'media', 'tickets', 'messaging', 'content', 'nlu', 'storage'],
  channels: ['http', 'messaging', 'storage'],
  console: ['integrations', 'open311', 'http', 'dialogs', 'handoff', 'privacy', 'media', 'tickets', 'messaging', 'content', 'nlu', 'storage'],
  // Open311 (GeoReport v2): other systems' front end; the console manages its keys.
  open311: ['http', 'dialogs', 'privacy', 'tickets', 'content', 'storage'],
  // Departments' own systems: the back-office API (department keys from open311/), webhooks and
  // e-mails about tickets; changes go through handoff/ like the console's.
  integrations: ['open311', 'http', 'handoff', 'privacy', 'tickets', 'messaging', 'content', 'storage'],
  http: ['storage'],
  bot: ['dialogs', 'handoff', 'privacy', 'media', 'tickets', 'messaging', 'content', 'nlu', 'storage'],
  dialogs: ['privacy', 'tickets', 'messaging', 'content', 'nlu', 'storage'],
  handoff: ['privacy', 'tickets', 'messaging', 'content', 'nlu', 'storage'],
  privacy: ['tickets', 'storage'],
  tickets: ['storage'],
  // Photos, voice notes and files citizens send: downloaded through the channels' fetchers and an
  // outbox of their own (messaging/), checked and kept in a store (database or folder).
  media: ['messaging', 'storage'],
  messaging: ['storage'],
  content: ['nlu'],
  nlu: [],
  storage: [],
};
const OPEN_TO_ALL = ['src/config\\.ts$', 'src/log\\.ts$', 'src/metrics\\.ts$', 'src/generated/', 'src/types/'];

/** The part a path belongs to: src/<folder>/… or src/<name>.ts. */
const part = (name) => `^src/${name}(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle, even through `import type`, means two files are one concern or one of them sits in the wrong layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(LAYERS).map(([from, allowed]) => ({
      name: `layers-${from}`,
      comment: `src/${from} may import only: ${[from, ...allowed].join(', ')}, and config, log, the generated client.`,
      severity: 'error',
      from: { path: part(from) },
      to: {
        path: '^src/',
        pathNot: [part(from), ...allowed.map(part), ...OPEN_TO_ALL],
      },
    })),
    {
      name: 'layers-log',
      comment: 'log.ts is a leaf: it may only mask what it writes.',
      severity: 'error',
      from: { path: '^src/log\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/privacy/mask\\.ts$', ...OPEN_TO_ALL] },
    },
    {
      name: 'layers-leaves',
      comment: 'config.ts and privacy/mask.ts import nothing of ours.',
      severity: 'error',
      from: { path: ['^src/config\\.ts$', '^src/privacy/mask\\.ts$', '^src/metrics\\.ts$'] },
      to: { path: '^src/', pathNot: ['^src/generated/', '^src/types/'] },
    },
    {
      name: 'no-unknown-part',
      comment: 'A new folder or top-level file under src/ gets its place in LAYERS first.',
      severity: 'error',
      from: { path: '^src/', pathNot: [...Object.keys(LAYERS).map(part), ...OPEN_TO_ALL, '^src/privacy/mask\\.ts$'] },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^src/generated/'] },
    // Type-only imports count: a type-only cycle is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
