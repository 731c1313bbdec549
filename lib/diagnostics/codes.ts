/**
 * Every diagnostic code the compiler (and `osop-sfn test`) emits, in one table,
 * so that codes stay stable and documented. Ranges: 1xxx load, 2xxx normalise,
 * 3xxx analyse, 4xxx expressions, 5xxx lower, 6xxx a workflow's tests:
 * section, 9xxx internal. One code, one meaning: CODE_INFO below gives each
 * its severity and the templates of its message.
 */
export const Codes = {
  // load
  FileNotFound: 'OSOP1001',
  NotAFile: 'OSOP1002',
  UnsupportedExtension: 'OSOP1003',
  EmptyFile: 'OSOP1004',
  YamlSyntax: 'OSOP1005',
  NotAMapping: 'OSOP1006',
  DuplicateKey: 'OSOP1007',
  FileTooLarge: 'OSOP1008',
  InvalidUtf8: 'OSOP1009',
  TooDeep: 'OSOP1010',

  // normalise (shape of the document)
  MissingField: 'OSOP2001',
  WrongType: 'OSOP2002',
  UnknownKey: 'OSOP2003',
  UnknownNodeType: 'OSOP2004',
  UnknownEdgeMode: 'OSOP2005',
  BadDuration: 'OSOP2006',
  BadOutputs: 'OSOP2007',
  BadRetry: 'OSOP2008',
  BadExtension: 'OSOP2009',
  BadInputs: 'OSOP2010',
  BadRuntime: 'OSOP2011',
  DefaultAssumed: 'OSOP2012',
  ProviderChosen: 'OSOP2013',

  // analyse (the graph and its data flow)
  DuplicateNodeId: 'OSOP3001',
  BadNodeId: 'OSOP3028',
  UnknownEdgeTarget: 'OSOP3002',
  NoEntryNode: 'OSOP3003',
  SeveralEntryNodes: 'OSOP3004',
  UnreachableNode: 'OSOP3005',
  UnboundedCycle: 'OSOP3006',
  UnknownReference: 'OSOP3007',
  NotYetRun: 'OSOP3008',
  UnknownInput: 'OSOP3009',
  UnknownOutput: 'OSOP3010',
  SelfEdgeIgnored: 'OSOP3011',
  NoElseBranch: 'OSOP3012',
  OverlappingConditions: 'OSOP3013',
  DuplicateEdge: 'OSOP3014',
  ConditionOnUnconditionalEdge: 'OSOP3015',
  MissingCondition: 'OSOP3016',
  AmbiguousLoopBody: 'OSOP3017',
  NonNestingRegion: 'OSOP3018',
  ParallelReference: 'OSOP3019',
  LoopItemReference: 'OSOP3020',
  UnknownWorkflowRef: 'OSOP3021',
  WorkflowCycle: 'OSOP3022',
  ReadingApplied: 'OSOP3023',
  ImplicitOutput: 'OSOP3024',
  ImplicitInput: 'OSOP3025',
  SeveralEntriesInParallel: 'OSOP3026',
  SubWorkflowInterface: 'OSOP3027',
  OptionalInputUsed: 'OSOP3029',
  ConditionalBackEdge: 'OSOP3030',
  SwitchWithoutCases: 'OSOP3031',
  SwitchTargetIgnored: 'OSOP3032',
  DefaultBehaviour: 'OSOP3033',

  // expressions
  ConditionSyntax: 'OSOP4001',
  ConditionNotLowerable: 'OSOP4002',
  DialectSpelling: 'OSOP4003',
  TemplateSyntax: 'OSOP4004',
  SecretInCondition: 'OSOP4005',
  UnsupportedNamespace: 'OSOP4006',
  OtherTemplateSyntax: 'OSOP4007',

  // lower
  NotSupportedYet: 'OSOP5001',
  MissingUrl: 'OSOP5002',
  BadUrl: 'OSOP5003',
  UnsupportedProvider: 'OSOP5004',
  StateNameTooLong: 'OSOP5006',
  ReservedKey: 'OSOP5007',
  ManualStep: 'OSOP5008',
  TimeoutRaised: 'OSOP5009',
  DefinitionTooLarge: 'OSOP5010',
  SecretOverHttp: 'OSOP5011',
  FailCauseTooLong: 'OSOP5012',
  IntrinsicTooDeep: 'OSOP5013',
  HistoryLimit: 'OSOP5014',
  WaitAnyCause: 'OSOP5015',
  HttpStaysOnHandler: 'OSOP5016',
  StateNameClash: 'OSOP5017',

  // osop-sfn test (a workflow's tests: section)
  BadTestCase: 'OSOP6001',
  UnknownTestKey: 'OSOP6002',
  BadMock: 'OSOP6003',
  BadExpectation: 'OSOP6004',
  NoTests: 'OSOP6005',
  DuplicateTestId: 'OSOP6006',

  Internal: 'OSOP9000',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

/**
 * How a code is reported: an error, a warning, an info note, or a reading of a
 * loose form (a warning that says what was read, an error under `--strict`).
 */
export type SeverityKind = 'error' | 'warning' | 'info' | 'reading';

/** What a diagnostic code means and says: the reference behind docs/diagnostics.md (`npm run docs:diagnostics`). */
export interface CodeInfo {
  /** A short title, like TypeScript's message table. */
  title: string;
  /** The severity the code is reported with. */
  severity: SeverityKind;
  /** What it means and how to fix it. */
  explanation: string;
  /** The message, from the named parameters the reporter passes (`sink.report(code, params, range)`). */
  message: (p: any) => string;
  /** The hint printed under the message, from the same parameters. */
  hint?: (p: any) => string | undefined;
}

/** The parameters of a message that has none. */
export type NoParams = Record<never, never>;

/** One wording of a code: its message and hint from the same parameters. */
interface Form<P> {
  message: (p: P) => string;
  hint?: (p: P) => string | undefined;
}

/**
 * A code whose message has several wordings (each the same meaning, said of a
 * different situation): the reporter picks one with `form`, and passes that
 * wording's parameters.
 */
function forms<F extends Record<string, Form<any>>>(f: F) {
  type P = { [K in keyof F & string]: { form: K } & Parameters<F[K]['message']>[0] }[keyof F & string];
  return {
    message: (p: P): string => f[p.form].message(p),
    hint: (p: P): string | undefined => f[p.form].hint?.(p),
  };
}

/** A message whose text comes whole from elsewhere (a parser, the expression checker): the reporter passes it, with its hint. */
const given = {
  message: (p: { message: string; hint?: string }) => p.message,
  hint: (p: { message: string; hint?: string }) => p.hint,
};

/** The wordings of a value that does not fit its schema, shared by the codes whose fields are checked so. */
const schemaForms = {
  zodMissing: {
    message: (p: { what: string; field: string; hint?: string }) => `${p.what.charAt(0).toUpperCase()}${p.what.slice(1)} is missing ${p.field}.`,
    hint: (p: { what: string; field: string; hint?: string }) => p.hint,
  },
  zodUnknownKey: {
    message: (p: { key: string; what: string; hint?: string }) => `Unknown key '${p.key}' in ${p.what}.`,
    hint: (p: { key: string; what: string; hint?: string }) => p.hint,
  },
  zodInvalid: {
    message: (p: { what: string; field: string; issue: string }) => `In ${p.what}, ${p.field}: ${p.issue}.`,
  },
};

/**
 * One entry per code (every code in `Codes` has one, or this does not
 * compile): what the code stands for, how severe it is, and the templates of
 * its message and hint. Reporters name a code and pass its parameters;
 * they never write the text.
 */
export const CODE_INFO = {
  // ---- load
  OSOP1001: {
    title: 'Cannot find the file',
    severity: 'error',
    explanation: "The path does not exist, or it exists but cannot be read (the message then names the system error, e.g. EACCES). Check the path; workflow files end in .osop, .osop.yaml, .osop.yml or .osop.json.",
    ...forms({
      missing: {
        message: (p: { path: string }) => `Cannot find the file '${p.path}'.`,
        hint: (_p: { path: string }) => 'Check the path; workflow files end in .osop, .osop.yaml, .osop.yml or .osop.json.',
      },
      unreadable: {
        message: (p: { path: string; errno: string }) => `Cannot read '${p.path}': ${p.errno}.`,
      },
    }),
  },
  OSOP1002: {
    title: 'Not a regular file',
    severity: 'error',
    explanation: 'The path is a directory (or a device, pipe or socket), not a workflow file. Name the files to compile, e.g. `osop-sfn check workflows/*.osop.yaml`.',
    ...forms({
      directory: {
        message: (p: { path: string; dir: string }) => `'${p.path}' is a directory, not a workflow file.`,
        hint: (p: { path: string; dir: string }) => `To compile every workflow in it, name the files: osop-sfn check ${p.dir}/*.osop.yaml`,
      },
      notRegular: {
        message: (p: { path: string }) => `'${p.path}' is not a regular file.`,
      },
    }),
  },
  OSOP1003: {
    title: 'Unexpected file extension',
    severity: 'warning',
    explanation: 'The file name does not end in .osop, .osop.yaml, .osop.yml or .osop.json; the file is read as an OSOP workflow anyway. Rename the file to silence the warning.',
    message: (p: { path: string; extensions: string }) => `'${p.path}' does not end in ${p.extensions}; reading it as an OSOP workflow anyway.`,
  },
  OSOP1004: {
    title: 'Empty file',
    severity: 'error',
    explanation: "The file holds only whitespace and comments, or no YAML document at all. A workflow needs at least 'id', 'name', 'nodes' and 'edges'.",
    ...forms({
      empty: {
        message: (_p: NoParams) => `The file is empty: a workflow needs at least 'id', 'name', 'nodes' and 'edges'.`,
        hint: (_p: NoParams) => 'Start from workflows/stripe-payment.osop.yaml.',
      },
      noDocument: {
        message: (_p: NoParams) => `The file holds no document: a workflow needs at least 'id', 'name', 'nodes' and 'edges'.`,
      },
    }),
  },
  OSOP1005: {
    title: 'YAML syntax error',
    severity: 'error',
    explanation: "The YAML parser refused the text (the message is the parser's, at the position where it stopped), or YAML aliases repeat more than the loader allows (10,000 alias uses, 1,000,000 values). Fix the syntax at the position shown; write repeated parts out instead of aliasing them.",
    ...forms({
      parser: {
        message: (p: { parserMessage: string; hint: undefined | string }) => `YAML syntax error: ${p.parserMessage}`,
        hint: (p: { parserMessage: string; hint: undefined | string }) => p.hint,
      },
      aliases: {
        message: (p: { message: string }) => p.message,
        hint: (_p: { message: string }) => 'Write the repeated parts out, or reduce the nesting of aliases.',
      },
    }),
  },
  OSOP1006: {
    title: 'The document is not a mapping',
    severity: 'error',
    explanation: "The top-level YAML value is a list, a string or a number, but a workflow is a mapping with keys such as 'id', 'name', 'nodes' and 'edges'.",
    message: (p: { kind: string }) => `The document is ${p.kind}, but a workflow is a mapping with 'id', 'name', 'nodes' and 'edges'.`,
  },
  OSOP1007: {
    title: 'Duplicate key',
    severity: 'error',
    explanation: 'The same key appears twice in one mapping; YAML would keep only one of the two, so the file is refused rather than read with a guess. Remove or rename one of them.',
    message: (_p: NoParams) => 'This key appears twice in the same mapping; YAML keeps only one of them.',
    hint: (_p: NoParams) => 'Remove or rename one of the two.',
  },
  OSOP1008: {
    title: 'File too large',
    severity: 'error',
    explanation: 'The file is over 4 MiB and is refused before it is parsed: Step Functions accepts definitions of at most 1 MB, so such a file cannot become a state machine. Split it into sub-workflows (workflow_ref).',
    message: (p: { path: string; size: number; limit: number }) => `'${p.path}' is ${p.size} bytes; the limit is ${p.limit}.`,
  },
  OSOP1009: {
    title: 'Invalid UTF-8',
    severity: 'error',
    explanation: 'The file is not valid UTF-8 (it is never decoded with replacement characters); the message gives the byte offset and line of the first bad byte. Save the file as UTF-8.',
    message: (p: { file: string; offset: number; line: number; byteHex: string }) => `'${p.file}' is not valid UTF-8: byte ${p.offset} (on line ${p.line}) is 0x${p.byteHex}.`,
    hint: (_p: { file: string; offset: number; line: number; byteHex: string }) => 'Save the file as UTF-8.',
  },
  OSOP1010: {
    title: 'Nesting too deep',
    severity: 'error',
    explanation: 'Maps and lists are nested more than 100 levels deep (or too deeply for the parser to read). Workflows nest a few levels; flatten the structure.',
    ...forms({
      tooDeep: {
        message: (p: { depth: number; limit: number }) => `The document nests maps and lists ${p.depth} levels deep; the limit is ${p.limit}.`,
        hint: (_p: { depth: number; limit: number }) => 'Workflows nest a few levels; flatten the structure.',
      },
      parserTooDeep: {
        message: (_p: NoParams) => 'The document is nested too deeply to be read.',
        hint: (_p: NoParams) => 'Flatten the structure.',
      },
    }),
  },

  // ---- normalise
  OSOP2001: {
    title: 'Missing field',
    severity: 'error',
    explanation:
      "A required field is missing: a missing or empty 'nodes', missing 'edges' when there are several nodes, or a required field of a node or edge (id, type, from, to). (A field with a default is OSOP2012.)",
    ...forms({
      zodMissing: schemaForms.zodMissing,
      nodesEmpty: {
        message: (_p: NoParams) => "'nodes' is empty: a workflow needs at least one node.",
      },
      noEdges: {
        message: (_p: NoParams) => "The workflow has no 'edges': with more than one node the order is unknown.",
        hint: (_p: NoParams) => 'Add edges: - from: a, to: b.',
      },
    }),
  },
  OSOP2002: {
    title: 'Wrong type',
    severity: 'error',
    explanation:
      "A value has the wrong type or form: a node or edge that is not a mapping, a field of the wrong type (e.g. name: 5), an HTTP method other than GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS, a switch case without 'to' or comparing with a map or list, max_polls outside 1–10001, a trigger without 'type', a test without 'id', or an edge whose 'when' and 'condition' differ.",
    ...forms({
      zodInvalid: schemaForms.zodInvalid,
      httpMethod: {
        message: (p: { node: string; method: string }) => `Node '${p.node}' has HTTP method '${p.method}'.`,
        hint: (_p: { node: string; method: string }) => 'Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.',
      },
      nodeNotMapping: {
        message: (p: { position: number; kind: string }) => `Node ${p.position} is ${p.kind}, but a node is a mapping with 'id' and 'type'.`,
      },
      maxPolls: {
        message: (p: { node: string }) => `max_polls of node '${p.node}' must be a whole number from 1 to 10001.`,
      },
      edgeNotMapping: {
        message: (p: { position: number; kind: string }) => `Edge ${p.position} is ${p.kind}, but an edge is a mapping with 'from' and 'to'.`,
      },
      whenAndCondition: {
        message: (p: { from: string; to: string }) => `Edge ${p.from} → ${p.to} has both 'when' and 'condition', and they differ.`,
        hint: (_p: { from: string; to: string }) => "Keep one: 'when' is the spec's name, 'condition' an older alias.",
      },
      caseWithoutTo: {
        message: (p: { position: number; from: string }) => `Case ${p.position} of the switch edge from '${p.from}' needs 'to' (a node id).`,
      },
      caseValue: {
        message: (p: { position: number; from: string; kind: string }) => `Case ${p.position} of the switch edge from '${p.from}' compares with ${p.kind}; a case value is a string, number, boolean or null.`,
      },
      triggerWithoutType: {
        message: (p: { position: number }) => `Trigger ${p.position} needs a 'type'.`,
      },
      testWithoutId: {
        message: (p: { position: number }) => `Test ${p.position} needs an 'id'.`,
      },
    }),
  },
  OSOP2003: {
    title: 'Unknown key',
    severity: 'warning',
    explanation:
      "A key the compiler does not know is ignored (with a did-you-mean suggestion when one is close); so are 'config' beside 'runtime', and 'delay' or 'interval_sec' on an edge that is not a loop edge. Fix the spelling, or prefix your own keys with 'x-' to silence the warning.",
    ...forms({
      zodUnknownKey: schemaForms.zodUnknownKey,
      runtimeAndConfig: {
        message: (p: { node: string }) => `Node '${p.node}' has both 'runtime' and 'config'; using 'runtime'.`,
      },
      forEachOnly: {
        message: (p: { keys: string; from: string; to: string }) => `x-sfn: { ${p.keys} } on edge ${p.from} → ${p.to} is ignored: it applies to a for-each loop edge (mode: loop with for_each).`,
      },
      waitOnNonLoop: {
        message: (p: { waitKey: string; mode: string; from: string; to: string }) => `'${p.waitKey}' on the ${p.mode} edge ${p.from} → ${p.to} is ignored: only a loop edge pauses between rounds.`,
      },
      unknownKey: {
        message: (p: { key: string; what: string; hint: string }) => `Unknown key '${p.key}' in ${p.what}; it is ignored.`,
        hint: (p: { key: string; what: string; hint: string }) => p.hint,
      },
    }),
  },
  OSOP2004: {
    title: 'Unknown node type',
    severity: 'error',
    explanation: "The node's type is none of human, agent, api, cli, db, git, docker, cicd, mcp, system, infra, data (nor event, company or gateway, which real files use). The hint suggests the closest type.",
    message: (p: { type: string; hint: string }) => `Unknown node type '${p.type}'.`,
    hint: (p: { type: string; hint: string }) => p.hint,
  },
  OSOP2005: {
    title: 'Unknown edge mode',
    severity: 'error',
    explanation:
      "The edge's mode is none of sequential, conditional, parallel, loop, event, fallback, error, timeout, spawn, switch (nor dataflow or message), or its join_mode is none of wait_all, wait_any, wait_n. The hint suggests the closest mode.",
    ...forms({
      joinMode: {
        message: (p: { joinMode: undefined | string }) => `Unknown join mode '${p.joinMode}'.`,
        hint: (_p: { joinMode: undefined | string }) => 'Join modes are wait_all, wait_any and wait_n.',
      },
      mode: {
        message: (p: { mode: undefined | string; hint: string }) => `Unknown edge mode '${p.mode}'.`,
        hint: (p: { mode: undefined | string; hint: string }) => p.hint,
      },
    }),
  },
  OSOP2006: {
    title: 'Bad duration',
    severity: 'error',
    explanation:
      "A duration cannot be read or is out of range: neither a number of seconds nor a duration like '30s', '10m', '1h30m'; a timeout_sec that is not positive; or a poll interval or loop-edge delay outside 1 second to 1 year (what a Wait state can wait).",
    ...forms({
      pollInterval: {
        message: (p: { node: string; intervalSeconds: number }) => `The poll interval of node '${p.node}' is ${p.intervalSeconds} s; a Wait state waits whole seconds, from 1 s to a year.`,
      },
      notADuration: {
        message: (p: { text: string | number }) => `'${p.text}' is not a duration.`,
        hint: (_p: { text: string | number }) => "Write seconds as a number, or a duration like '30s', '10m', '24h', '1h30m'.",
      },
      timeout: {
        message: (p: { what: string }) => `The timeout of ${p.what} must be positive.`,
      },
      loopDelay: {
        message: (p: { waitKey: string; from: string; to: string; secs: number }) => `The ${p.waitKey} of loop edge ${p.from} → ${p.to} is ${p.secs} s; a Wait state waits whole seconds, from 1 s to a year.`,
      },
    }),
  },
  OSOP2007: {
    title: 'Bad outputs',
    severity: 'error',
    explanation:
      "A node's outputs are malformed or clash: not a list of names, of {name: ...} or of one-key path maps; an output declared twice; a name reserved by JavaScript objects (constructor, __proto__, ...); two outputs kept under the same data key; or, on a node run by CodeBuild, an output that is not an environment-variable name.",
    ...forms({
      reservedName: {
        message: (p: { output: string; node: string }) => `Output '${p.output}' of node '${p.node}' is a name reserved by JavaScript objects.`,
        hint: (_p: { output: string; node: string }) => 'Rename it.',
      },
      sameKey: {
        message: (p: { other: undefined | string; name: string; node: string; key: string }) => `Outputs '${p.other}' and '${p.name}' of node '${p.node}' are both kept under '${p.key}'.`,
        hint: (_p: { other: undefined | string; name: string; node: string; key: string }) => 'Rename one of the two.',
      },
      notAVariableName: {
        message: (p: { output: string; node: string }) => `Output '${p.output}' of node '${p.node}' comes back as an exported environment variable, so it must be a variable name (letters, digits, '_').`,
      },
      malformed: {
        message: (p: { node: string; what: string }) => `Output of node '${p.node}' ${p.what}.`,
        hint: (_p: { node: string; what: string }) => "Write outputs as a list of names (- status), of {name: status}, or of one-key maps with a path into the response body (- status: \"data.status\").",
      },
      declaredTwice: {
        message: (p: { node: string; name: string }) => `Node '${p.node}' declares output '${p.name}' twice.`,
      },
    }),
  },
  OSOP2008: {
    title: 'Bad retry policy',
    severity: 'error',
    explanation:
      "retry_policy ({max_retries, strategy, backoff_sec}) or retry ({max_attempts or max_retries, backoff: {type, initial_delay, max_delay, multiplier}}) does not fit its schema: a value of the wrong type or out of range. The message names the field.",
    ...forms(schemaForms),
  },
  OSOP2009: {
    title: 'Bad x-sfn extension',
    severity: 'error',
    explanation:
      "The x-sfn block of a node or edge is invalid: an unknown key or a value of the wrong type, both 'handler' and 'resource', 'permissions' or 'parameters' without 'resource', or a handler path that leaves the workflow's folder or does not exist.",
    ...forms({
      ...schemaForms,
      handlerAndResource: {
        message: (p: { node: string }) => `Node '${p.node}' binds both a handler and a resource; choose one.`,
      },
      permissionsWithoutResource: {
        message: (p: { node: string }) => `x-sfn.permissions of node '${p.node}' only go with x-sfn.resource.`,
      },
      parametersWithoutResource: {
        message: (p: { node: string }) => `x-sfn.parameters of node '${p.node}' only go with x-sfn.resource.`,
      },
      handlerOutsideFolder: {
        message: (p: { node: string; handler: string }) => `x-sfn.handler of node '${p.node}' ('${p.handler}') leaves the workflow's folder.`,
        hint: (_p: { node: string; handler: string }) => "Give a path inside the workflow file's folder, e.g. lambdas/handler.ts.",
      },
      handlerMissing: {
        message: (p: { node: string; handler: string }) => `x-sfn.handler of node '${p.node}' names '${p.handler}', which does not exist in the workflow's folder.`,
        hint: (_p: { node: string; handler: string }) => 'The path is relative to the folder of the workflow file.',
      },
      continueAndTolerated: {
        message: (p: { from: string; to: string }) => `Edge ${p.from} → ${p.to} has both on_item_error: continue (every item may fail) and tolerated_failure_percentage.`,
        hint: (_p: { from: string; to: string }) => 'Keep one of them.',
      },
    }),
  },
  OSOP2010: {
    title: 'Bad inputs',
    severity: 'error',
    explanation: "The workflow's 'inputs' is neither a list (of names or {name, type}) nor a mapping of input names to schemas, or an item of the list is neither a name nor a mapping.",
    ...forms({
      item: {
        message: (p: { position: number; kind: string }) => `Input ${p.position} is ${p.kind}; write a name or {name, type}.`,
      },
      notAMapping: {
        message: (p: { kind: string }) => `'inputs' is ${p.kind}; write a mapping of input names to schemas.`,
      },
    }),
  },
  OSOP2011: {
    title: 'Bad runtime',
    severity: 'error',
    explanation:
      "A node's runtime block does not fit its binding: a field of the wrong type, an MCP node with a server but no tool (or tool arguments that are not a mapping), a command that is not a string, an agent context entry that is not 'node' or 'node.output', or a db engine the RDS Data API cannot reach.",
    ...forms({
      ...schemaForms,
      contextEntry: {
        message: (p: { position: number; node: string }) => `Context entry ${p.position} of agent node '${p.node}' must be a node id or node.output.`,
      },
      commandItem: {
        message: (p: { position: number; node: string }) => `Command ${p.position} of node '${p.node}' is not a string.`,
        hint: (_p: { position: number; node: string }) => 'Write each command as a string.',
      },
      command: {
        message: (p: { key: string; node: string }) => `'${p.key}' of node '${p.node}' must be a command (a string) or a list of commands.`,
      },
      dbEngine: {
        message: (p: { node: string; engine: undefined | string }) => `Db node '${p.node}' uses engine '${p.engine}', which the RDS Data API cannot reach.`,
        hint: (_p: { node: string; engine: undefined | string }) => "The db binding runs SQL on Aurora (PostgreSQL or MySQL) through the RDS Data API. For another database, bind the node explicitly: x-sfn: { resource: 'arn:aws:states:::aws-sdk:<service>:<action>', parameters, permissions } (e.g. dynamodb:getItem), or x-sfn: { handler } with your own Lambda.",
      },
      mcpWithoutTool: {
        message: (p: { node: string }) => `MCP node '${p.node}' names a server but no tool to call.`,
        hint: (_p: { node: string }) => "Add runtime.tool: the name of the server's tool (e.g. tool: search).",
      },
      mcpArguments: {
        message: (p: { node: string }) => `The tool arguments of MCP node '${p.node}' must be a mapping.`,
      },
    }),
  },

  OSOP2012: {
    title: 'Default assumed',
    severity: 'warning',
    explanation: "A field that has a default is missing, and the default is used: osop_version (1.0), the workflow's id (from the file name) or an agent's model. Write the field to make it explicit.",
    ...forms({
      agentModel: {
        message: (p: { node: string; model: string }) => `Agent node '${p.node}' names no model; using ${p.model}.`,
        hint: (_p: { node: string; model: string }) => 'Set runtime.model.',
      },
      osopVersion: {
        message: (_p: NoParams) => "The workflow has no 'osop_version'; assuming 1.0.",
        hint: (_p: NoParams) => 'Add osop_version: "1.0" at the top.',
      },
      workflowId: {
        message: (p: { workflowId: string }) => `The workflow has no 'id'; using '${p.workflowId}' (from the file name).`,
        hint: (_p: { workflowId: string }) => 'Add an id: it names the state machine.',
      },
    }),
  },
  OSOP2013: {
    title: 'Agent provider chosen',
    severity: 'info',
    explanation: "An agent node names no provider; the compiler chooses one (from the model name when it implies one, e.g. gpt-… is openai) and notes which. Set runtime.provider to make it explicit.",
    message: (p: { node: string; provider: string; fromModel: boolean }) => `Agent node '${p.node}' names no provider; using ${p.provider}${p.fromModel ? ' (from the model name)' : ''}.`,
  },

  // ---- analyse
  OSOP3001: {
    title: 'Duplicate node id',
    severity: 'error',
    explanation: "Two nodes have the same id, or ids that differ only in characters other than letters, digits and '_' (check-status and check_status keep their outputs under the same key). Node ids must be unique; the error points at the second node.",
    ...forms({
      sameId: {
        message: (p: { node: string; first: number }) => `Duplicate node id '${p.node}'.`,
        hint: (p: { node: string; first: number }) => `Another node already has this id; node ids must be unique. (The first is node ${p.first}.)`,
      },
      sameOutputKey: {
        message: (p: { clash: string; node: string; key: string }) => `Node ids '${p.clash}' and '${p.node}' both keep their outputs under '${p.key}' in the execution data.`,
        hint: (_p: { clash: string; node: string; key: string }) => "Outputs are keyed by the id with characters other than letters, digits and '_' replaced by '_'; rename one of the two.",
      },
    }),
  },
  OSOP3002: {
    title: 'Edge to an unknown node',
    severity: 'error',
    explanation: "An edge's 'from' or 'to' (or a switch case's target) names no node. The hint suggests the closest node id.",
    ...forms({
      edgeEnd: {
        message: (p: { from: string; to: string; end: string; hint: string }) => `Edge ${p.from} → ${p.to} refers to '${p.end}', which is not a node.`,
        hint: (p: { from: string; to: string; end: string; hint: string }) => p.hint,
      },
      switchCase: {
        message: (p: { from: string; to: string; hint: undefined | string }) => `The switch edge from '${p.from}' routes to '${p.to}', which is not a node.`,
        hint: (p: { from: string; to: string; hint: undefined | string }) => p.hint,
      },
    }),
  },
  OSOP3003: {
    title: 'No entry node',
    severity: 'error',
    explanation: 'Every node has an incoming edge and the graph falls apart into several cycles, so there is no single node to start at. Make one node the start: no edge should lead into it except loop or fallback edges.',
    message: (p: { candidatesCount: number; candidates: string }) => `Every node has an incoming edge and the workflow has ${p.candidatesCount} separate cycles, so there is no single start (candidates: ${p.candidates}).`,
    hint: (_p: { candidatesCount: number; candidates: string }) => 'Make one node the start: no edge should lead into it except loop or fallback edges.',
  },
  OSOP3004: {
    title: 'Several entry nodes that never meet',
    severity: 'error',
    explanation:
      'Several nodes have no incoming edge and their paths never meet: the file holds separate workflows, and a state machine has one start. Connect the extra entry to the rest, or move it to a workflow of its own. (Entries whose paths meet start together: OSOP3026.)',
    message: (p: { rootsCount: number; list: string; node: string; first: string }) => `The workflow has ${p.rootsCount} entry nodes (${p.list}), and their paths never meet: it is ${p.rootsCount} separate workflows in one file, and a state machine has one start.`,
    hint: (p: { rootsCount: number; list: string; node: string; first: string }) => `Connect '${p.node}' to the rest with an edge, or move it to a workflow of its own. The first entry is '${p.first}'.`,
  },
  OSOP3005: {
    title: 'Unreachable node',
    severity: 'error',
    explanation: 'A node cannot be reached from the entry node by following edges (for example, it only sits in a cycle of its own). Add an edge to it, or remove it.',
    message: (p: { node: string; entry: string }) => `Node '${p.node}' cannot be reached from the entry node '${p.entry}'.`,
    hint: (_p: { node: string; entry: string }) => 'Add an edge to it, or remove it.',
  },
  OSOP3006: {
    title: 'Unbounded cycle',
    severity: 'error',
    explanation:
      "A sequential, parallel, spawn or dataflow edge (or a for-each edge) goes back to an earlier node: the cycle has no bound. Use mode: loop with a 'when' condition, or a fallback edge. (A conditional edge that goes back is compiled as a bounded loop: OSOP3030.)",
    ...forms({
      backEdge: {
        message: (p: { mode: string; from: string; to: string }) => `The ${p.mode} edge ${p.from} → ${p.to} goes back to an earlier node and makes a cycle with no bound.`,
        hint: (_p: { mode: string; from: string; to: string }) => "A cycle must be a 'loop' edge with a condition, or a 'fallback' edge; both are bounded by a counter.",
      },
      forEachBackEdge: {
        message: (p: { from: string; to: string }) => `The for-each edge ${p.from} → ${p.to} goes back to an earlier node.`,
        hint: (_p: { from: string; to: string }) => 'A for-each edge leads from the node that produces the list to the loop body, forward.',
      },
    }),
  },
  OSOP3007: {
    title: 'Unknown reference',
    severity: 'error',
    explanation:
      "A reference in a ${...} template, a condition or an agent's context names neither a node, an output of a node, nor a workflow input; or an error edge's condition reads a field of 'error' other than name or cause; or 'loop.x' is used outside its for-each body. The hint suggests the closest name.",
    ...forms({
      notANode: {
        message: (p: { ref: string; hint: undefined | string }) => `'${p.ref}' is not a node.`,
        hint: (p: { ref: string; hint: undefined | string }) => p.hint,
      },
      errorField: {
        message: (p: { ref: string }) => `'${p.ref}' is not a field of the error.`,
        hint: (_p: { ref: string }) => 'Use error.name (the error name, e.g. OSOP.Http.Rejected) or error.cause (its message).',
      },
      loopItem: {
        message: (p: { varsCount: number; name: string; node: string; path: string; hint: undefined | string }) => p.varsCount ? `'loop.${p.name}' is not the item of the for-each loop around '${p.node}'.` : `'loop.${p.path}' is only defined inside the body of a for-each loop, and '${p.node}' is not in one.`,
        hint: (p: { varsCount: number; name: string; node: string; path: string; hint: undefined | string }) => p.hint,
      },
      approvalWord: {
        message: (p: { name: string; human: string }) => `'${p.name}' is not an output of any node, a node, or a workflow input.`,
        hint: (p: { name: string; human: string }) => `A human node's answer is its output 'decision': write ${p.human}.decision == '${p.name}'.`,
      },
      neitherNodeNorOutput: {
        message: (p: { shown: string; node: string; suggestion: undefined | string; example: string }) => `'${p.shown}' refers to '${p.node}', which is neither a node nor an output.`,
        hint: (p: { shown: string; node: string; suggestion: undefined | string; example: string }) => p.suggestion ? `Did you mean '${p.suggestion}'?` : `Write node.output, e.g. ${p.example}.`,
      },
      unknownName: {
        message: (p: { name: string; suggestion: undefined | string; example: string }) => `'${p.name}' is not an output of any node, a node, or a workflow input.`,
        hint: (p: { name: string; suggestion: undefined | string; example: string }) => p.suggestion ? `Did you mean '${p.suggestion}'?` : `Write node.output, e.g. ${p.example}, or quote it if it is a string: '${p.name}'.`,
      },
      unknownPath: {
        message: (p: { name: string; example: string }) => `'${p.name}' is not an output of any node, a node, or a workflow input.`,
        hint: (p: { name: string; example: string }) => `Write node.output, e.g. ${p.example}.`,
      },
    }),
  },
  OSOP3008: {
    title: 'Output may not exist yet',
    severity: 'error',
    explanation:
      'A reference reads an output of a node that does not run on every path to the reader (it may not have run, or runs later), or of a branch of a wait_any or wait_n join (it may not have finished). Read an output of a node that always runs before, or change the edges.',
    ...forms({
      notOnEveryPath: {
        message: (p: { ref: string; node: string }) => `'${p.ref}' may not have run when '${p.node}' starts: it does not run on every path to it.`,
        hint: (p: { ref: string; node: string }) => `Name an output of a node that always runs before '${p.node}'.`,
      },
      mayNotHaveRun: {
        message: (p: { shown: string; why: string; node: string }) => `'${p.shown}' may have no value here: ${p.why}.`,
        hint: (p: { shown: string; why: string; node: string }) => `Use an output of a node that always runs before '${p.node}', or restructure the edges.`,
      },
      noDeclarerOnEveryPath: {
        message: (p: { shown: string; name: string; candidates: string; node: string }) => `'${p.shown}' may have no value here: no node that declares '${p.name}' (${p.candidates}) runs on every path to '${p.node}'.`,
      },
      joinMayNotFinish: {
        message: (p: { shown: string; at: string; node: string; joinMode: string }) => `'${p.shown}' may have no value at '${p.at}': the branches of '${p.node}' join with ${p.joinMode}, so its branch may not have finished.`,
        hint: (_p: { shown: string; at: string; node: string; joinMode: string }) => 'Use wait_all to read the outputs of every branch.',
      },
    }),
  },
  OSOP3009: {
    title: 'Unknown input',
    severity: 'error',
    explanation: "'inputs.x' names an input the workflow does not declare, and a declared input has a close name, so it is taken for a typo; the hint names the declared input. (An undeclared input with no close match is read as an optional input: OSOP3025.)",
    message: (p: { name: string; hint: string }) => `The workflow has no input '${p.name}'.`,
    hint: (p: { name: string; hint: string }) => p.hint,
  },
  OSOP3010: {
    title: 'Unknown output',
    severity: 'error',
    explanation: "'node.x' names an output the node does not declare (or names the node alone, without an output). Fix the name, or declare the output on the node; the hint lists the node's outputs.",
    ...forms({
      nodeWithoutOutput: {
        message: (p: { shown: string; hint: undefined | string }) => `'${p.shown}' names a node, not one of its outputs.`,
        hint: (p: { shown: string; hint: undefined | string }) => p.hint,
      },
      noOutputs: {
        message: (p: { node: string; shown: string; name: string }) => `Node '${p.node}' declares no outputs, so '${p.shown}' has no value.`,
        hint: (p: { node: string; shown: string; name: string }) => `Declare it on '${p.node}': outputs: - ${p.name}: "data.${p.name}"`,
      },
      unknownOutput: {
        message: (p: { node: string; name: string; hint: string }) => `Node '${p.node}' has no output '${p.name}'.`,
        hint: (p: { node: string; name: string; hint: string }) => p.hint,
      },
    }),
  },
  OSOP3011: {
    title: 'Edge to itself ignored',
    severity: 'warning',
    explanation: "An edge other than a loop or fallback edge leads from a node to itself; it would repeat the node forever, so it is dropped. To repeat a node, use mode: loop with a 'when' condition.",
    message: (p: { mode: string; from: string }) => `The ${p.mode} edge from '${p.from}' to itself is ignored: it would repeat the node forever.`,
    hint: (_p: { mode: string; from: string }) => "To repeat a node, use mode: loop with a 'when' condition.",
  },
  OSOP3012: {
    title: 'No else branch',
    severity: 'warning',
    explanation:
      'The conditional edges out of a node have no else branch: when none of the conditions holds, the workflow skips to where the branches meet, or ends there (successfully, or ends the parallel branch). Add an edge for the other case to make this explicit. (A plain warning: --strict does not change it.)',
    ...forms({
      skipsToJoin: {
        message: (p: { node: string; cont: string }) => `When none of the conditions out of '${p.node}' holds, the workflow skips to '${p.cont}', where its branches meet.`,
        hint: (_p: { node: string; cont: string }) => `Add an edge for the other case to make this explicit.`,
      },
      ends: {
        message: (p: { nested: boolean; node: string }) => p.nested ? `When none of the conditions out of '${p.node}' holds, this branch ends.` : `When none of the conditions out of '${p.node}' holds, the workflow ends successfully.`,
        hint: (_p: { nested: boolean; node: string }) => `Add an edge for the other case (e.g. to a node that reports it) to make this explicit.`,
      },
    }),
  },
  OSOP3013: {
    title: 'Overlapping or constant conditions',
    severity: 'warning',
    explanation:
      'Conditions on the edges out of one node may hold at the same time (Step Functions takes the first one in file order, where OSOP would take every true edge), or a condition is always true or always false, so some edges are never taken. Make the conditions exclusive, or order the edges by priority.',
    ...forms({
      alwaysFalse: {
        message: (p: { from: string; to: string }) => `The condition of edge ${p.from} → ${p.to} is always false; the edge is never taken.`,
      },
      alwaysTrue: {
        message: (p: { from: string; to: string }) => `The condition of edge ${p.from} → ${p.to} is always true, so the conditional edges after it are never taken.`,
      },
      alwaysTrueBesideUnconditional: {
        message: (p: { from: string; to: string }) => `The condition of edge ${p.from} → ${p.to} is always true, but '${p.from}' also has an unconditional edge, which is taken when no other condition holds.`,
      },
      mayOverlap: {
        message: (p: { node: string }) => `The conditions on the edges out of '${p.node}' may hold at the same time; the first one in file order wins (OSOP would take every true edge).`,
        hint: (_p: { node: string }) => 'Make the conditions exclusive, or order the edges by priority.',
      },
    }),
  },
  OSOP3014: {
    title: 'Duplicate edge',
    severity: 'warning',
    explanation: "The same edge (same from, to, mode and condition) appears twice; the copy is ignored.",
    message: (p: { from: string; to: string; mode: string }) => `Edge ${p.from} → ${p.to} (${p.mode}) appears twice; the copy is ignored.`,
  },
  OSOP3015: {
    title: 'Condition on an unconditional edge',
    severity: 'warning',
    explanation: "An edge explicitly marked sequential or parallel carries a 'when' condition; it is treated as a conditional edge. Write mode: conditional.",
    message: (p: { from: string; to: string; mode: string }) => `Edge ${p.from} → ${p.to} is ${p.mode} but has a condition; it is treated as conditional.`,
    hint: (_p: { from: string; to: string; mode: string }) => 'Write mode: conditional.',
  },
  OSOP3016: {
    title: 'Missing condition',
    severity: 'error',
    explanation:
      "An edge lacks what its mode needs: a conditional or switch edge without 'when', a for-each edge without 'iterator_var', or a loop edge with neither 'when' nor 'for_each' (it would never stop). (A switch edge without 'cases' is OSOP3031.)",
    ...forms({
      noWhen: {
        message: (p: { mode: string; from: string; to: string }) => `The ${p.mode} edge ${p.from} → ${p.to} has no 'when' condition.`,
        hint: (_p: { mode: string; from: string; to: string }) => "Add when: \"<CEL expression>\", or make the edge sequential.",
      },
      noIteratorVar: {
        message: (p: { from: string; to: string }) => `The for-each edge ${p.from} → ${p.to} has no 'iterator_var'.`,
        hint: (_p: { from: string; to: string }) => 'Name the item: iterator_var: item, then use ${loop.item} in the loop body.',
      },
      loopWithoutCondition: {
        message: (p: { from: string; to: string }) => `The loop edge ${p.from} → ${p.to} has neither 'when' nor 'for_each', so it would never stop.`,
        hint: (_p: { from: string; to: string }) => "Add when: \"<condition to repeat>\".",
      },
    }),
  },
  OSOP3017: {
    title: 'Ambiguous for-each body',
    severity: 'error',
    explanation:
      "A for-each body is its target and the chain of nodes after it up to the next join; here a node in the body branches, or the node that starts the loop continues to more than one other node, so the body (or what runs after the loop) is ambiguous. Move the branching after the loop or into a node of its own.",
    ...forms({
      bodyBranches: {
        message: (p: { from: string; to: string; current: string; targets: string }) => `The body of the for-each loop ${p.from} → ${p.to} is ambiguous: '${p.current}' branches (to ${p.targets}).`,
        hint: (_p: { from: string; to: string; current: string; targets: string }) => 'A for-each body is its target and the chain of nodes after it up to the next join; move the branching after the loop, or into a node of its own.',
      },
      loopStartContinues: {
        message: (p: { from: string; others: string }) => `Node '${p.from}' starts a for-each loop and also continues elsewhere (${p.others}); what runs after the loop is ambiguous.`,
        hint: (_p: { from: string; others: string }) => 'Let the loop body end in the node that follows the loop.',
      },
    }),
  },
  OSOP3018: {
    title: 'Regions do not nest',
    severity: 'error',
    explanation:
      'The branches of a fork meet before their join, a loop or fallback edge goes from inside a parallel branch back to outside it, or a fallback, error or timeout edge leaves a for-each body. Branches of a fork must meet only at one join node; a failure inside a branch or loop body must be handled inside it (or, for a loop, by the node after the loop).',
    ...forms({
      leavesLoopBody: {
        message: (p: { mode: string; from: string; to: string; loopFrom: string; loopTo: string }) => `The ${p.mode} edge ${p.from} → ${p.to} leaves the body of the for-each loop ${p.loopFrom} → ${p.loopTo}.`,
        hint: (_p: { mode: string; from: string; to: string; loopFrom: string; loopTo: string }) => 'Errors inside a loop body can only be handled inside the body, or by the node after the loop.',
      },
      branchesMeetEarly: {
        message: (p: { node: string; branch: string; branch2: string; meet: string; edges: string; join: null | string }) => `The parallel branches from '${p.node}' through '${p.branch}' and '${p.branch2}' meet at '${p.meet}' (edges ${p.edges}) before they join${p.join ? ` at '${p.join}'` : ''}.`,
        hint: (p: { node: string; branch: string; branch2: string; meet: string; edges: string; join: null | string }) => p.join ? `Branches of a fork must meet only at the join; route both through '${p.join}', or make '${p.meet}' the join.` : 'Branches of a fork must meet only at one join node that every branch reaches.',
      },
      leavesBranch: {
        message: (p: { mode: string; from: string; to: string; node: string }) => `The ${p.mode} edge ${p.from} → ${p.to} goes from inside a parallel branch of '${p.node}' back to outside it.`,
        hint: (_p: { mode: string; from: string; to: string; node: string }) => 'A loop or fallback inside a parallel branch must stay inside that branch.',
      },
    }),
  },
  OSOP3019: {
    title: 'Reference into another parallel branch',
    severity: 'error',
    explanation: 'A node reads an output produced in another branch of the same fork; the branches run at the same time, so it has no value yet. Read it after the join.',
    message: (p: { shown: string; node: string; at: string; hint: undefined | string }) => `'${p.shown}' is produced in another parallel branch of '${p.node}' than '${p.at}'; the branches run at the same time.`,
    hint: (p: { shown: string; node: string; at: string; hint: undefined | string }) => p.hint,
  },
  OSOP3020: {
    title: 'Reference to a per-item output',
    severity: 'error',
    explanation: 'A node outside a for-each loop reads an output produced inside its body; that output has one value per item, not a single value. Use it inside the loop body.',
    message: (p: { shown: string; from: string; to: string; at: string }) => `'${p.shown}' is produced once per item inside the for-each loop ${p.from} → ${p.to}; it has no single value at '${p.at}'.`,
    hint: (_p: { shown: string; from: string; to: string; at: string }) => 'Use it inside the loop body, or collect results in a node inside the loop.',
  },
  OSOP3021: {
    title: 'Unknown sub-workflow',
    severity: 'error',
    explanation:
      "workflow_ref names a workflow that is neither imported nor in the same folder, or an entry of 'imports' cannot be loaded (missing, or it has errors) or leaves the workflow's folder. Import it, or put the workflow file next to this one.",
    ...forms({
      importOutsideFolder: {
        message: (p: { path: string }) => `The import '${p.path}' leaves the workflow's folder.`,
        hint: (_p: { path: string }) => "Import workflows from the workflow file's folder or below it.",
      },
      importNotLoaded: {
        message: (p: { path: string; hasErrors: boolean; dir: string }) => `Cannot load the imported workflow '${p.path}'${p.hasErrors ? ' (it has errors: compile it to see them)' : ''}.`,
        hint: (p: { path: string; hasErrors: boolean; dir: string }) => `Paths are relative to ${p.dir}/.`,
      },
      unknownId: {
        message: (p: { id: string; hint: undefined | string }) => `No workflow with id '${p.id}' is imported or in the same folder.`,
        hint: (p: { id: string; hint: undefined | string }) => p.hint,
      },
    }),
  },
  OSOP3022: {
    title: 'Sub-workflow cycle',
    severity: 'error',
    explanation: 'Workflows start each other in a cycle (a node starts its own workflow, or a chain of workflow_refs leads back), or sub-workflows nest more than 20 levels deep. A workflow may not (indirectly) start itself.',
    ...forms({
      startsItself: {
        message: (p: { node: string; id: string }) => `Node '${p.node}' starts its own workflow '${p.id}': it would start itself forever.`,
      },
      cycle: {
        message: (p: { cycle: string }) => `Workflows start each other in a cycle: ${p.cycle}.`,
        hint: (_p: { cycle: string }) => 'A workflow may not (indirectly) start itself: break the cycle.',
      },
      tooDeep: {
        message: (p: { node: string; limit: number }) => `Sub-workflows started from '${p.node}' nest more than ${p.limit} levels deep.`,
        hint: (_p: { node: string; limit: number }) => 'Flatten the chain of workflows.',
      },
    }),
  },
  OSOP3023: {
    title: 'Reading applied',
    severity: 'reading',
    explanation:
      "A loose form is read one documented way, and the warning says how: a message edge as a sequential edge, '${NAME}' of a secret listed under security.secrets as '${secrets.NAME}', a condition on a fallback or error edge as its else branch or as a conditional edge ('otherwise' alone: any failure), or a polling node without interval_sec as rounds without a pause. With --strict these readings are errors. (Defaults noted as plain warnings: OSOP3033.)",
    ...forms({
      otherwiseOnFailureEdge: {
        message: (p: { mode: string; from: string; to: string; text: string }) => `The ${p.mode} edge ${p.from} → ${p.to} says '${p.text}': it is taken on any failure of '${p.from}'.`,
        hint: (_p: { mode: string; from: string; to: string; text: string }) => 'Remove the condition to make this explicit.',
      },
      conditionOnFailureEdge: {
        message: (p: { otherwise: boolean; mode: string; from: string; to: string; text: string }) => p.otherwise ? `The ${p.mode} edge ${p.from} → ${p.to} says '${p.text}' beside conditional edges: it is read as their else branch, taken when no condition holds.` : `The ${p.mode} edge ${p.from} → ${p.to} has a condition on the outputs of '${p.from}', not on its error: it is read as a conditional edge.`,
        hint: (p: { otherwise: boolean; mode: string; from: string; to: string; text: string }) => p.otherwise ? `Write mode: conditional, when: otherwise (or an unconditional edge) to make this explicit.` : `Write mode: conditional to make this explicit; a condition on the error reads error.name or error.cause.`,
      },
      pollingWithoutInterval: {
        message: (p: { node: string }) => `Polling node '${p.node}' sets no interval_sec: its rounds follow each other without a pause.`,
        hint: (_p: { node: string }) => 'Add interval_sec: <seconds> (and max_polls) to the node.',
      },
      bareSecret: {
        message: (p: { text: string }) => `'${p.text}' names a secret the workflow lists under security.secrets; each \${NAME} of one is read as \${secrets.NAME}.`,
        hint: (_p: { text: string }) => 'Write ${secrets.NAME} to make this explicit.',
      },
      messageEdge: {
        message: (p: { from: string; to: string }) => `The message edge ${p.from} → ${p.to} is read as a sequential edge: '${p.to}' runs after '${p.from}'.`,
        hint: (_p: { from: string; to: string }) => 'Write mode: sequential to make this explicit.',
      },
    }),
  },
  OSOP3024: {
    title: 'Implicit output',
    severity: 'reading',
    explanation:
      "A reference names an output the node does not declare, and it is read as a field of the node's result (a response body field, a field of an agent's structured answer, ...), declared implicitly; or a bare word in a condition after an approval ('approved') is read as its decision. Declare the output (or write review.decision == 'approved') to make it explicit; with --strict this is an error.",
    ...forms({
      approvalDecision: {
        message: (p: { name: string; source: string }) => `'${p.name}' names no declared output; it is read as the decision of approval '${p.source}' (${p.source}.decision == '${p.name}').`,
        hint: (p: { name: string; source: string }) => `Write ${p.source}.decision == '${p.name}' to make this explicit.`,
      },
      resultField: {
        message: (p: { name: string; node: string; reading: string }) => `'${p.name}' is not a declared output of '${p.node}'; it is read as ${p.reading}, declared implicitly.`,
        hint: (p: { name: string; node: string; reading: string }) => `Declare it on '${p.node}' to make this explicit: outputs: [${p.name}].`,
      },
    }),
  },
  OSOP3025: {
    title: 'Implicit input',
    severity: 'reading',
    explanation:
      "A reference names an input the workflow does not declare ('inputs.x', or a bare name in a condition that matches no output), and it is read as an optional input of the execution. Declare it under 'inputs:'; with --strict this is an error.",
    ...forms({
      undeclaredInput: {
        message: (p: { path: string; name: string }) => `'inputs.${p.path}' names an input the workflow does not declare; it is read as an optional string input '${p.name}' ($.input.${p.name}).`,
        hint: (p: { path: string; name: string }) => `Declare it to make this explicit: inputs: { ${p.name}: { type: string, required: true } }.`,
      },
      bareName: {
        message: (p: { name: string; at: string }) => `'${p.name}' names no output of '${p.at}' or of any node before it; it is read as an optional input of the workflow ($.input.${p.name}).`,
        hint: (p: { name: string; at: string }) => `Declare it to make this explicit: inputs: { ${p.name}: { type: string } }, and write inputs.${p.name}.`,
      },
    }),
  },
  OSOP3029: {
    title: 'Optional input used without a default',
    severity: 'warning',
    explanation:
      "A template or a for-each uses an input that is optional and has no default. In a template, the node first checks the input was given and otherwise fails the execution with OSOP.Input naming it (without the check, Step Functions would fail with an uncatchable States.Runtime); a for-each over it loops over no items. Give the input a default, or make it required.",
    ...forms({
      forEach: {
        message: (p: { from: string; to: string; input: string }) => `The for-each of edge ${p.from} → ${p.to} iterates 'inputs.${p.input}', an optional input without a default: an execution started without it loops over no items.`,
        hint: (_p: { from: string; to: string; input: string }) => `Make that explicit with default: [] on the input, or required: true.`,
      },
      template: {
        message: (p: { node: string; name: string }) => `Node '${p.node}' uses 'inputs.${p.name}', an optional input without a default: an execution started without it fails at '${p.node}' with OSOP.Input (the node checks before it runs).`,
        hint: (p: { node: string; name: string }) => `Give the input a default (inputs: { ${p.name}: { default: ... } }), or make it required: true, so that a missing value is refused when the execution starts.`,
      },
    }),
  },
  OSOP3026: {
    title: 'Several entry nodes start together',
    severity: 'reading',
    explanation:
      'Several nodes have no incoming edge and their paths meet: they start together as parallel branches that join where they meet. Add a start node with parallel edges to them to make this explicit; with --strict this is an error. (Entries whose paths never meet: OSOP3004.)',
    message: (p: { rootsCount: number; list: string; join: string }) => `The workflow has ${p.rootsCount} entry nodes (${p.list}); they start together as parallel branches that join at '${p.join}'.`,
    hint: (p: { rootsCount: number; list: string; join: string }) => `To make this explicit, add a start node with parallel edges to ${p.list}.`,
  },
  OSOP3027: {
    title: "Sub-workflow interface mismatch",
    severity: 'error',
    explanation:
      "A node that starts a sub-workflow does not match the child's interface: a required input of the child is not passed in workflow_inputs, an input is passed that the child does not declare, or an output is read from a node id the child does not have (a child's result is its nodes' outputs, by node id).",
    ...forms({
      missingInput: {
        message: (p: { node: string; child: string; inputName: string }) => `Node '${p.node}' starts workflow '${p.child}' without its required input '${p.inputName}'.`,
        hint: (p: { node: string; child: string; inputName: string }) => `Pass it: workflow_inputs: { ${p.inputName}: ... }.`,
      },
      undeclaredInput: {
        message: (p: { node: string; name: string; child: string; hint: string }) => `Node '${p.node}' passes '${p.name}', which workflow '${p.child}' does not declare as an input.`,
        hint: (p: { node: string; name: string; child: string; hint: string }) => p.hint,
      },
      unknownNode: {
        message: (p: { node: string; name: string; child: string; hint: string }) => `Node '${p.node}' reads '${p.name}' from workflow '${p.child}', which has no node of that id (a child's result is its nodes' outputs, by node id).`,
        hint: (p: { node: string; name: string; child: string; hint: string }) => p.hint,
      },
    }),
  },
  OSOP3028: {
    title: 'Bad node id',
    severity: 'error',
    explanation:
      "A node id cannot name a Step Functions state: it is longer than 80 characters, contains ':' (reserved for the states the compiler adds), '${' (read as a definition substitution) or a control character, or is a name reserved by JavaScript objects (__proto__, constructor, ...). Use names like create_customer or check-status.",
    message: (p: { id: string; bad: string }) => `Node id '${p.id}' cannot name a state: ${p.bad}.`,
    hint: (_p: { id: string; bad: string }) => 'Node ids are names like create_customer or check-status.',
  },

  OSOP3030: {
    title: 'Conditional edge back to an earlier node',
    severity: 'warning',
    explanation: "A conditional edge goes back to an earlier node: it is compiled as a loop, bounded to 10 rounds (x-sfn: { max_iterations: N } on the edge). Write mode: loop to say that this is a loop.",
    message: (p: { from: string; to: string }) => `The conditional edge ${p.from} → ${p.to} goes back to an earlier node: it is compiled as a loop, bounded to 10 rounds by default (x-sfn: { max_iterations: N } on the edge).`,
    hint: (_p: { from: string; to: string }) => "Write mode: loop to say that this is a loop.",
  },
  OSOP3031: {
    title: 'Switch edge without cases',
    severity: 'warning',
    explanation: "A switch edge has no 'cases', so it is treated as a conditional edge (its 'when' decides). Add cases: - value: ..., to: ... and default_to.",
    message: (p: { from: string; to: string }) => `The switch edge ${p.from} → ${p.to} has no 'cases'; it is treated as a conditional edge.`,
    hint: (_p: { from: string; to: string }) => 'Add cases: - value: ..., to: ... and default_to.',
  },
  OSOP3032: {
    title: "Switch edge's own target ignored",
    severity: 'warning',
    explanation: "A switch edge's own 'to' names a node that none of its cases (nor default_to) routes to; the cases decide, so that target is ignored. Route a case to it, or set 'to' to one of the cases' targets.",
    message: (p: { from: string; to: string }) => `The switch edge from '${p.from}' names '${p.to}' in 'to', but no case routes there; its cases decide.`,
  },
  OSOP3033: {
    title: 'Default behaviour noted',
    severity: 'warning',
    explanation: "A node leaves something out and gets a documented default, which the warning names: an entry event node without a source or schedule deploys no EventBridge rule, and a db node that names only a table runs SELECT * on it. --strict leaves these warnings alone. Write the missing part to make it explicit.",
    ...forms({
      dbTable: {
        message: (p: { node: string; table: undefined | string }) => `Db node '${p.node}' names only a table; it runs 'SELECT * FROM ${p.table}' and its output 'rows' holds the result.`,
        hint: (p: { node: string; table: undefined | string }) => `Write the statement to make it explicit: runtime: { sql: "SELECT ... FROM ${p.table} WHERE ..." }.`,
      },
      eventWithoutSource: {
        message: (p: { node: string }) => `The workflow starts at event node '${p.node}', which says no event source or schedule; no EventBridge rule is deployed, and executions start from the console, the CLI or your code.`,
        hint: (_p: { node: string }) => "Say what starts it: runtime: { source: com.example.orders, detail_type: OrderPlaced } (an event rule) or runtime: { cron: '0 9 * * 1-5' } (a schedule).",
      },
    }),
  },

  // ---- expressions
  OSOP4001: {
    title: 'Condition syntax error',
    severity: 'error',
    explanation:
      "A condition ('when', 'condition', 'for_each') cannot be parsed: a missing value, unbalanced brackets, an unknown operator, or nesting too deep. The position points into the expression. (A secret in a condition is OSOP4005.)",
    ...given,
  },
  OSOP4002: {
    title: 'Condition a Choice rule cannot express',
    severity: 'error',
    explanation:
      "The condition is valid CEL but a Step Functions Choice rule cannot express it (arithmetic, size(), conversions, searching a list held in data, ordering true/false values, comparing maps), or a for_each computes a list instead of naming one. Compute the value in a node and expose it as an output.",
    ...forms({
      forEachComputed: {
        message: (p: { from: string; to: string; forEach: undefined | string }) => `The for_each of edge ${p.from} → ${p.to} must name a list (an input or an output), not compute one: '${p.forEach}'.`,
        hint: (p: { from: string; to: string; forEach: undefined | string }) => `For example: for_each: "outputs.${p.from}.items".`,
      },
      expression: given,
    }),
  },
  OSOP4003: {
    title: 'Other dialect spelling',
    severity: 'warning',
    explanation:
      "A condition uses a spelling from another dialect, read as its CEL equivalent: 'and', 'or', 'not' for &&, ||, !; infix 'contains'; 'otherwise'; or a hyphenated name read as one node id rather than a subtraction. The hint gives the CEL spelling.",
    message: (p: { noteMessage: string; celSpelling: string }) => `${p.noteMessage}`,
    hint: (p: { noteMessage: string; celSpelling: string }) => `In CEL this is written '${p.celSpelling}'.`,
  },
  OSOP4004: {
    title: 'Template syntax error',
    severity: 'error',
    explanation: "A ${...} template is malformed ('${' not closed, an empty or invalid reference) or cannot be built with Step Functions intrinsics. Close it with '}', or write $${ for a literal ${.",
    ...given,
  },
  OSOP4005: {
    title: 'Secret where its value would leak',
    severity: 'error',
    explanation:
      "A ${secrets.NAME} appears where its value would reach the execution's data (or a language model): secrets may appear only in the url, headers, query and body of api nodes, in commands, and in MCP server URLs and headers, where only the handler (or the build) resolves them, and in a custom handler's runtime (x-sfn handler), where its wrapper resolves them. Never in a condition ('when', secrets.NAME or ${secrets.NAME}): a Choice rule compares values inside the state data, which the execution history records.",
    ...forms({
      expression: given,
      leaks: {
        message: (p: { toModel: boolean }) => `A secret cannot be used here: its value would reach ${p.toModel ? 'the language model and ' : ''}the execution's data.`,
        hint: (_p: { toModel: boolean }) => 'Secrets may appear in the url, headers, query and body of api nodes, in commands, in MCP server URLs and headers, and in the runtime of a custom handler (x-sfn handler), where only the handler (or the build) resolves them.',
      },
      inCondition: {
        message: (_p: NoParams) => 'Secrets cannot be used in conditions: the value would be written into the execution history.',
        hint: (_p: NoParams) => 'Compare an output of the step that used the secret instead.',
      },
    }),
  },
  OSOP4006: {
    title: 'Unsupported namespace',
    severity: 'error',
    explanation: "A reference uses a namespace a state machine cannot read: 'env.X' (the state machine runs on AWS, not on your machine) or an unknown 'metadata.X'. Pass the value as a workflow input, or keep it in a secret.",
    ...forms({
      env: {
        message: (p: { name: string }) => `'env.${p.name}' cannot be read by a state machine: it runs on AWS, not on your machine.`,
        hint: (_p: { name: string }) => 'Pass the value as a workflow input (${inputs.x}) or keep it in a secret (${secrets.X}).',
      },
      metadata: {
        message: (p: { name: string; known: string }) => `'metadata.${p.name}' is not known.`,
        hint: (p: { name: string; known: string }) => `Known: ${p.known}.`,
      },
    }),
  },
  OSOP4007: {
    title: 'Other template syntax',
    severity: 'warning',
    explanation: "A string holds '{{...}}' (another template language) and no '${...}': it is sent as written, not filled in. OSOP interpolates ${inputs.x} and ${node.output}.",
    message: (_p: NoParams) => `'{{...}}' is not OSOP interpolation; it is sent as written.`,
    hint: (_p: NoParams) => "OSOP interpolates ${inputs.x}, ${outputs.node.x} and ${node.x}.",
  },

  // ---- lower
  OSOP5001: {
    title: 'Not supported yet',
    severity: 'error',
    explanation:
      'The workflow uses a construct this compiler cannot build (yet): event edges, a node that both forks and chooses by condition, a spawn of several copies, different join modes on one fork, wait_n without a valid join_count, a loop edge that goes forward, a failure edge out of a routing node, several timeout or unconditional fallback edges on one node, conditional edges beside several unconditional ones, a list mixing references with objects, or a fork too wide for Step Functions to merge. The hint suggests a rewrite.',
    ...forms({
      forkAndChoice: {
        message: (p: { node: string; to: string }) => `Node '${p.node}' both forks into parallel branches and chooses by condition (edge to '${p.to}').`,
        hint: (_p: { node: string; to: string }) => 'Add a routing node: first fork, then choose inside a branch, or the other way round.',
      },
      spawnCount: {
        message: (p: { from: string; to: string; spawnCount: undefined | number }) => `The spawn edge ${p.from} → ${p.to} asks for ${p.spawnCount} copies of '${p.to}'; spawning several copies of one node is not supported.`,
        hint: (_p: { from: string; to: string; spawnCount: undefined | number }) => 'Write one spawn edge per child node (each becomes a parallel branch), or use a for-each loop over a list.',
      },
      mixedJoinModes: {
        message: (p: { fork: string; modes: string }) => `The edges of the fork at '${p.fork}' declare different join modes (${p.modes}).`,
      },
      waitNCount: {
        message: (p: { join: string; flowCount: number; count: number | string }) => `join_mode wait_n at '${p.join}' needs join_count, a whole number from 1 to the ${p.flowCount} branches (it is ${p.count}).`,
        hint: (_p: { join: string; flowCount: number; count: number | string }) => `Add join_count: N, how many branches must succeed.`,
      },
      forwardLoop: {
        message: (p: { from: string; to: string }) => `The loop edge ${p.from} → ${p.to} goes forward, so it repeats nothing.`,
        hint: (_p: { from: string; to: string }) => 'A loop edge goes back to the first node to repeat; use a conditional edge to go forward.',
      },
      edgeMode: {
        message: (p: { what: string; from: string; to: string; hint: undefined | string }) => `${p.what} are not supported (edge ${p.from} → ${p.to}).`,
        hint: (p: { what: string; from: string; to: string; hint: undefined | string }) => p.hint,
      },
      mixedOutEdges: {
        message: (p: { node: string; flowCount: number }) => `Node '${p.node}' has ${p.flowCount} unconditional out-edges and conditional ones.`,
      },
      failureEdgeOnRouter: {
        message: (p: { node: string; mode: string }) => `The routing node '${p.node}' cannot fail, so its ${p.mode} edge would never be taken.`,
      },
      severalTimeouts: {
        message: (p: { node: string; timeoutsCount: number }) => `Node '${p.node}' has ${p.timeoutsCount} timeout edges; a timeout can only go one way.`,
      },
      severalFallbacks: {
        message: (p: { node: string; unconditionalCount: number; targets: string }) => `Node '${p.node}' has ${p.unconditionalCount} unconditional fallback/error edges (to ${p.targets}); one failure can only go one way.`,
        hint: (_p: { node: string; unconditionalCount: number; targets: string }) => `Keep one, or give the others a condition on error.name.`,
      },
      forkTooWide: {
        message: (p: { node: string; branchesCount: number; limit: number }) => `The fork after '${p.node}' has ${p.branchesCount} branches; their outputs cannot be merged within Step Functions' ${p.limit} nested intrinsic functions.`,
        hint: (_p: { node: string; branchesCount: number; limit: number }) => 'Group the branches under forks of their own.',
      },
      waitNTooWide: {
        message: (p: { node: string; branchesCount: number; max: number; limit: number }) => `The wait_n join after '${p.node}' has ${p.branchesCount} branches; it can count at most ${p.max} (Step Functions nests at most ${p.limit} intrinsic functions).`,
        hint: (_p: { node: string; branchesCount: number; max: number; limit: number }) => 'Group the branches under forks of their own.',
      },
      mixedList: {
        message: (p: { position: number }) => `A list that mixes references with objects or lists cannot be built by a state machine (item ${p.position}).`,
        hint: (_p: { position: number }) => 'Move the references into an object, or pass the whole list from an output.',
      },
    }),
  },
  OSOP5002: {
    title: 'Missing URL',
    severity: 'error',
    explanation: "An api node that is to be called has no URL (runtime.url, or an absolute runtime.endpoint). Set runtime.url (the base) and runtime.endpoint (the path). An api node with neither is a manual step instead (OSOP5008).",
    message: (p: { node: string }) => `The api node '${p.node}' has no URL, so there is nothing to call.`,
    hint: (_p: { node: string }) => 'Set runtime.url (the base, e.g. https://api.example.com) and runtime.endpoint (the path).',
  },
  OSOP5003: {
    title: 'URL without a literal origin',
    severity: 'error',
    explanation:
      'The URL of an api node does not start with a literal http(s) origin written in the workflow: the host may not come from data, so that a secret cannot be sent elsewhere. Write the scheme and host literally; references may follow in the path and query (a URL that is a whole secret, ${secrets.URL}, is allowed).',
    message: (p: { node: string; url: string }) => `The URL of api node '${p.node}' must start with a literal http(s) origin ('${p.url}').`,
    hint: (_p: { node: string; url: string }) => 'The host may not come from data: the handler only calls the origin written in the workflow, so that a secret cannot be sent elsewhere.',
  },
  OSOP5004: {
    title: 'Unsupported agent provider',
    severity: 'error',
    explanation: 'An agent node names a provider this compiler cannot call. Supported providers: anthropic, openai, google.',
    message: (p: { node: string; provider: string; supported: string }) => `Agent node '${p.node}' uses provider '${p.provider}', which this compiler cannot call.`,
    hint: (p: { node: string; provider: string; supported: string }) => `Supported providers: ${p.supported}.`,
  },
  OSOP5006: {
    title: 'State name too long',
    severity: 'error',
    explanation: "A state name the compiler makes (a node id plus a suffix such as ':route') is longer than Step Functions' 80 characters. Shorten the node id. (Two states with the same name: OSOP5017.)",
    message: (p: { name: string; max: number; node?: string }) => `State name '${p.name}' is longer than Step Functions' limit of ${p.max} characters.`,
    hint: (p: { name: string; max: number; node?: string }) => (p.node !== undefined ? `Shorten the node id '${p.node}' (${p.node.length} characters).` : 'Shorten the node id.'),
  },
  OSOP5007: {
    title: "Key ending in '.$'",
    severity: 'error',
    explanation: "A key in a payload written in the workflow (a request body or query, MCP tool arguments, x-sfn parameters, an event's detail) ends in '.$', which Step Functions reads as a path reference. Rename the key.",
    message: (p: { key: string }) => `The key '${p.key}' ends in '.$', which Step Functions reads as a path reference.`,
    hint: (_p: { key: string }) => 'Rename the key.',
  },
  OSOP5008: {
    title: 'Manual step',
    severity: 'reading',
    explanation:
      "A node has nothing the compiler can run (an api node without URL, a cli node without command, ...): it becomes a manual step, and the execution waits until someone completes it with 'osop-sfn complete'. The hint says how to automate it. With --strict (strict: true in the construct) manual steps are errors.",
    message: (p: { node: string; why: string; automate: string }) => `Node '${p.node}' becomes a manual step (${p.why}): the execution waits until someone completes it with 'osop-sfn complete'.`,
    hint: (p: { node: string; why: string; automate: string }) => `To automate it, ${p.automate}. Use --strict (strict: true in the construct) to refuse manual steps.`,
  },
  OSOP5009: {
    title: 'Timeout raised to the CodeBuild minimum',
    severity: 'warning',
    explanation: "A node run on CodeBuild (a command of a cli, git, docker, cicd or infra node) has a timeout under CodeBuild's shortest build timeout, 5 minutes; the build's timeout is raised to 5 minutes.",
    message: (p: { node: string; minutes: number; timeoutSeconds: number }) => `Node '${p.node}' runs on CodeBuild, whose shortest build timeout is ${p.minutes} minutes; its timeout of ${p.timeoutSeconds} s becomes ${p.minutes} minutes.`,
  },
  OSOP5010: {
    title: 'Definition too large',
    severity: 'error',
    explanation:
      "The state machine definition would exceed Step Functions' limit of 1,048,576 bytes: measured after compiling, estimated up front from the number of nodes, or because loop and fallback cycles nest too deeply. Split the workflow into sub-workflows (workflow_ref), or shorten long texts (prompts, comments).",
    ...forms({
      measured: {
        message: (p: { size: string; limit: number }) => `The state machine definition would be ${p.size}; Step Functions accepts at most ${p.limit} bytes.`,
        hint: (_p: { size: string; limit: number }) => 'Split the workflow into sub-workflows (workflow_ref), or shorten long texts (prompts, comments).',
      },
      estimated: {
        message: (p: { nodesCount: number; limit: number }) => `The workflow has ${p.nodesCount} nodes; their states alone would exceed Step Functions' ${p.limit}-byte limit on a definition.`,
        hint: (_p: { nodesCount: number; limit: number }) => 'Split the workflow into sub-workflows (workflow_ref).',
      },
      nestedCycles: {
        message: (_p: NoParams) => `The workflow's loop and fallback cycles nest too deeply: each node in them carries the rounds of every cycle around it, and the state machine definition would exceed Step Functions' 1 MB limit.`,
        hint: (_p: NoParams) => 'Flatten the cycles, or split the workflow into sub-workflows (workflow_ref).',
      },
    }),
  },
  OSOP5011: {
    title: 'Secret sent over plain http',
    severity: 'warning',
    explanation: 'An api node sends a secret (in its URL, headers, query or body) to a plain http:// origin (other than localhost), where anyone on the way can read it. Use https.',
    message: (p: { node: string; origin: string }) => `Node '${p.node}' sends a secret to ${p.origin} over plain http: anyone on the way can read it.`,
    hint: (_p: { node: string; origin: string }) => 'Use https.',
  },
  OSOP5012: {
    title: 'Fail cause too long',
    severity: 'error',
    explanation:
      "A Fail state's Cause would be longer than the 32,768 characters CreateStateMachine accepts (for example, the Fail state for a missing required input names the input and the workflow). Shorten the names or texts the failure carries.",
    message: (p: { message: string }) => p.message,
    hint: (_p: { message: string }) => 'Shorten the text the node fails with, or pass the details as output instead.',
  },
  OSOP5014: {
    title: 'Loop may outgrow the execution history',
    severity: 'warning',
    explanation:
      "A loop or fallback edge may repeat so often, or an inline for-each run over so many items, that one execution would write more than the 25,000 events Step Functions keeps in its history; the execution would fail there with States.Runtime. The estimate counts the states of one round or item (a Task writes about 5 events, another state 2) times the bound. Lower the bound (x-sfn max_iterations, max_polls, max_fallbacks), run the repeated part as a sub-workflow, or let a long for-each run as a Distributed Map (x-sfn: { map: distributed }, or max_items).",
    ...forms({
      loop: {
        message: (p: { mode: string; from: string; to: string; bound: number; perRound: number; total: number; limit: number; fits: number; bounding: string }) => `The ${p.mode} edge ${p.from} → ${p.to} may repeat ${p.bound} times at about ${p.perRound} history events a round (${p.total} in all): an execution keeps at most ${p.limit} events and would fail there.`,
        hint: (p: { mode: string; from: string; to: string; bound: number; perRound: number; total: number; limit: number; fits: number; bounding: string }) => `Bound it to at most ${p.fits} rounds (${p.bounding}), or run the repeated part as a sub-workflow (workflow_ref).`,
      },
      inlineMap: {
        message: (p: { forEach: undefined | string; maxItems: number; perItem: number; limit: number; fits: number }) => `The for-each over ${p.forEach} runs inline (x-sfn: { map: inline }) over up to ${p.maxItems} items at about ${p.perItem} history events an item: an execution keeps at most ${p.limit} events, about ${p.fits} items.`,
        hint: (_p: { forEach: undefined | string; maxItems: number; perItem: number; limit: number; fits: number }) => 'Remove map: inline: a list longer than fits runs as a Distributed Map (one child execution per item).',
      },
      inlineMapUnbounded: {
        message: (p: { forEach: undefined | string; perItem: number; fits: number; limit: number }) => `The for-each over ${p.forEach} runs inline, in the execution's own history: at about ${p.perItem} events an item, a list of more than about ${p.fits} items would fail the execution (${p.limit} events at most).`,
        hint: (p: { forEach: undefined | string; perItem: number; fits: number; limit: number }) => `Say how long the list may be (x-sfn: { max_items: N }: a list longer than ${p.fits} runs as a Distributed Map, one child execution per item), or choose x-sfn: { map: inline } or { map: distributed }.`,
      },
    }),
  },
  OSOP5015: {
    title: "wait_any carries the winner's outputs through a Fail Cause",
    severity: 'warning',
    explanation:
      "A wait_any fork ends with the first branch that finishes: that branch ends the Parallel state with a Fail state whose Cause carries the state's outputs (those before the fork and the branch's own) as JSON, and Step Functions keeps at most 32,768 characters of a Cause. Past that, the execution fails with States.Runtime (the local engine enforces the same cap). Keep what the branches return small: declare the outputs they need, not whole responses or long texts.",
    message: (p: { node: string; limit: number }) => `The fork after '${p.node}' continues with the first branch to finish (wait_any): its outputs, with those from before the fork, reach the join through a Fail state's Cause, which holds at most ${p.limit} characters.`,
    hint: (_p: { node: string; limit: number }) => "Keep the branches' outputs small (declare the fields the join needs); past the cap the execution fails with States.Runtime.",
  },
  OSOP5016: {
    title: 'api node stays on the REST handler',
    severity: 'warning',
    explanation:
      "The workflow or the node asks for a native HTTP Task (x-sfn: { http: native }), but the node uses something an HTTP Task cannot do the same way, so it stays on the REST handler (a Lambda function): a secret anywhere but one header (a connection holds one credential header), a URL that is a secret, headers Step Functions refuses in a definition, optional outputs (an HTTP Task cannot default a missing field to null), expected statuses other than any 2xx, a timeout over 60 seconds (an HTTP Task's own limit), or a node-given idempotency key with a secret. The message names the reason; docs/bindings.md lists them.",
    message: (p: { node: string; why: string }) => `Node '${p.node}' stays on the REST handler (a Lambda function), not a native HTTP Task: ${p.why}.`,
    hint: (_p: { node: string; why: string }) => 'See docs/bindings.md, "Native HTTP Tasks", for what an HTTP Task can do the same way.',
  },

  OSOP5013: {
    title: 'Intrinsic functions nested too deep',
    severity: 'error',
    explanation:
      "A field of the definition would nest intrinsic functions (States.Format, States.JsonMerge, ...) more than 10 deep, which CreateStateMachine refuses. A final check on the compiled definition: the compiler's own constructs stay within the limit (wider forks are refused with OSOP5001), so input is not expected to reach it.",
    message: (p: { message: string }) => p.message,
    hint: (_p: { message: string }) => 'Split the expression: compute part of it in an earlier node, or use fewer nested functions.',
  },

  OSOP5017: {
    title: 'Two states with the same name',
    severity: 'error',
    explanation:
      "Two states of the definition would get the same name. A last check of the lowering: node ids are unique and hold no ':' (OSOP3001, OSOP3028) while every state the compiler adds has one (a node id plus a suffix such as ':route', or a name such as 'osop:init'), so input is not expected to reach it. Rename the node.",
    ...forms({
      state: {
        message: (p: { name: string; node?: string }) => `Two states would be named '${p.name}'${p.node !== undefined ? ` (node '${p.node}')` : ''}.`,
        hint: (_p: { name: string; node?: string }) => "Rename the node: ':' is reserved for the states the compiler adds.",
      },
      reserved: {
        message: (p: { name: string }) => `Two states would be named '${p.name}'.`,
        hint: (_p: { name: string }) => "Rename the node: ':' is reserved for the states the compiler adds.",
      },
    }),
  },

  // ---- osop-sfn test
  OSOP6001: {
    title: 'Bad test case',
    severity: 'error',
    explanation: "A test of the workflow's tests: section cannot be run as written: its type is none of unit, integration, e2e, simulation; its run is not full_workflow; its target_node is not a node; or its input is not a mapping. `osop-sfn test` leaves the case out and fails.",
    ...forms({
      type: {
        message: (p: { what: string; type: string; types: string }) => `${p.what}: type '${p.type}' is not one of ${p.types}.`,
      },
      run: {
        message: (p: { what: string; run: string }) => `${p.what}: run '${p.run}' is not supported; tests run the full workflow.`,
      },
      targetNode: {
        message: (p: { what: string; targetNode: string; hint: undefined | string }) => `${p.what}: target_node '${p.targetNode}' is not a node of the workflow.`,
        hint: (p: { what: string; targetNode: string; hint: undefined | string }) => p.hint,
      },
      input: {
        message: (p: { what: string }) => `${p.what}: input must be a mapping.`,
      },
    }),
  },
  OSOP6002: {
    title: 'Unknown key in a test',
    severity: 'error',
    explanation: "A test, a mock, a failure injection or an expectation has a key `osop-sfn test` does not know (with a did-you-mean suggestion when one is close). Fix the spelling, or prefix your own keys with 'x-'.",
    message: (p: { what: string; key: string; hint: string }) => `${p.what}: unknown key '${p.key}'.`,
    hint: (p: { what: string; key: string; hint: string }) => p.hint,
  },
  OSOP6003: {
    title: 'Bad mock',
    severity: 'error',
    explanation: "A test's mocks or failure_injection are malformed: a mocked or injected node that is not a Task node of the workflow, a mock that is not { outputs } or { error, cause }, an empty list of calls, or an injection without a mock for the calls after it.",
    ...forms({
      mocksNotAMapping: {
        message: (p: { what: string }) => `${p.what}: mocks must map node ids to their answers.`,
      },
      notATask: {
        message: (p: { what: string; node: string; hint: undefined | string }) => `${p.what}: '${p.node}' is not a Task node of the workflow, so it cannot be mocked.`,
        hint: (p: { what: string; node: string; hint: undefined | string }) => p.hint,
      },
      emptyList: {
        message: (p: { what: string; node: string }) => `${p.what}: the mock of '${p.node}' is an empty list.`,
      },
      entryNotAMapping: {
        message: (p: { what: string }) => `${p.what} must be { outputs: {...} } or { error: NAME, cause: TEXT }.`,
      },
      outputsOrError: {
        message: (p: { what: string }) => `${p.what} needs exactly one of 'outputs' (the handler returns them) or 'error' (the handler throws it).`,
      },
      outputsNotAMapping: {
        message: (p: { what: string }) => `${p.what}: outputs must be a mapping of output names to values.`,
      },
      errorName: {
        message: (p: { what: string }) => `${p.what}: error must be an error name such as OSOP.Http.Rejected.`,
      },
      cause: {
        message: (p: { what: string }) => `${p.what}: cause is a text, and only goes with error.`,
      },
      injectionsNotAMapping: {
        message: (p: { what: string }) => `${p.what}: failure_injection must map node ids to { error, cause?, times? }.`,
      },
      injectionNotATask: {
        message: (p: { what: string; node: string; hint: undefined | string }) => `${p.what}: '${p.node}' is not a Task node of the workflow.`,
        hint: (p: { what: string; node: string; hint: undefined | string }) => p.hint,
      },
      injectionShape: {
        message: (p: { what: string }) => `${p.what} must be { error: NAME, cause?: TEXT, times?: N }.`,
      },
      times: {
        message: (p: { what: string }) => `${p.what}: times must be a whole number of at least 1.`,
      },
      injectionWithoutMock: {
        message: (p: { what: string; node: string }) => `${p.what}: '${p.node}' also needs a mock, for the calls after the injected failures.`,
      },
    }),
  },
  OSOP6004: {
    title: 'Bad expectation',
    severity: 'error',
    explanation: "A test's expect is missing, is not a mapping, says nothing to check, or holds a value of the wrong form: a status other than succeeded or failed, error or cause with status: succeeded, a path or nodes list naming states the compiled workflow does not have, or calls on nodes that are not Task nodes.",
    ...forms({
      noExpect: {
        message: (p: { what: string }) => `${p.what} has no 'expect', so it cannot fail.`,
        hint: (_p: { what: string }) => 'Add at least expect: { status: succeeded }.',
      },
      notAMapping: {
        message: (p: { what: string }) => `${p.what}: expect must be a mapping.`,
      },
      status: {
        message: (p: { what: string }) => `${p.what}: expect.status must be succeeded or failed.`,
      },
      text: {
        message: (p: { what: string; key: string }) => `${p.what}: expect.${p.key} must be a text.`,
      },
      list: {
        message: (p: { what: string; key: string }) => `${p.what}: expect.${p.key} must be a list of state names.`,
      },
      unknownState: {
        message: (p: { what: string; key: string; unknown: string; kind: string; hint: undefined | string }) => `${p.what}: expect.${p.key} names '${p.unknown}', which is not a ${p.kind} of the compiled workflow.`,
        hint: (p: { what: string; key: string; unknown: string; kind: string; hint: undefined | string }) => p.hint,
      },
      calls: {
        message: (p: { what: string }) => `${p.what}: expect.calls must map Task node ids to whole numbers.`,
      },
      outputs: {
        message: (p: { what: string }) => `${p.what}: expect.outputs must be a mapping.`,
      },
      errorWithSuccess: {
        message: (p: { what: string }) => `${p.what}: expect.error and expect.cause only go with status: failed.`,
      },
      empty: {
        message: (p: { what: string }) => `${p.what}: expect says nothing to check.`,
      },
    }),
  },
  OSOP6005: {
    title: 'No tests',
    severity: 'error',
    explanation: "`osop-sfn test` (or `mocks`) was run on a workflow without a tests: section. Add one; the README's \"Run locally\" section shows its format.",
    message: (_p: NoParams) => `The workflow has no tests.`,
    hint: (_p: NoParams) => "Add a 'tests:' section; the README's \"Run locally\" section shows its format.",
  },
  OSOP6006: {
    title: 'Duplicate test id',
    severity: 'error',
    explanation: 'Two tests of the workflow have the same id; the second is left out. Give each test its own id.',
    message: (p: { id: string }) => `Two tests are named '${p.id}'.`,
    hint: (_p: { id: string }) => 'Give each test its own id.',
  },

  // ---- internal
  OSOP9000: {
    title: 'Internal compiler error',
    severity: 'error',
    explanation:
      'The compiler itself failed (an exception, not a problem of the input): the message gives the error, the hint the top of the stack, and compile() returns internalError: true. This is a bug in osop-sfn; please report it with the workflow file.',
    message: (p: { error: string; stack: undefined | string }) => `Internal compiler error: ${p.error}. This is a bug in osop-sfn; please report it with this file.`,
    hint: (p: { error: string; stack: undefined | string }) => p.stack,
  },
} satisfies Record<Code, CodeInfo>;

/** The parameters of code `C`'s message, checked where it is reported. */
export type MessageParams<C extends Code> = Parameters<(typeof CODE_INFO)[C]['message']>[0];
