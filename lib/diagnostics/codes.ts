/**
 * Every diagnostic code the compiler emits, in one table, so that codes stay
 * stable and documented. Ranges: 1xxx load, 2xxx normalise, 3xxx analyse,
 * 4xxx expressions, 5xxx lower, 9xxx internal.
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

/** What a diagnostic code means: the reference behind docs/diagnostics.md (`npm run docs:diagnostics`). */
export interface CodeInfo {
  /** A short title, like TypeScript's message table. */
  title: string;
  /** The severity the code is reported with ('error or warning': depends on the case, see the explanation). */
  severity: 'error' | 'warning' | 'error or warning';
  /** What it means and how to fix it. */
  explanation: string;
}

/**
 * One entry per code (a `Record<Code, ...>`, so a code without an entry does
 * not compile). The messages themselves are written where each diagnostic is
 * raised; this table says what the code as a whole stands for.
 */
export const CODE_INFO: Record<Code, CodeInfo> = {
  // ---- load
  OSOP1001: {
    title: 'Cannot find the file',
    severity: 'error',
    explanation: "The path does not exist, or it exists but cannot be read (the message then names the system error, e.g. EACCES). Check the path; workflow files end in .osop, .osop.yaml, .osop.yml or .osop.json.",
  },
  OSOP1002: {
    title: 'Not a regular file',
    severity: 'error',
    explanation: 'The path is a directory (or a device, pipe or socket), not a workflow file. Name the files to compile, e.g. `osop-sfn check workflows/*.osop.yaml`.',
  },
  OSOP1003: {
    title: 'Unexpected file extension',
    severity: 'warning',
    explanation: 'The file name does not end in .osop, .osop.yaml, .osop.yml or .osop.json; the file is read as an OSOP workflow anyway. Rename the file to silence the warning.',
  },
  OSOP1004: {
    title: 'Empty file',
    severity: 'error',
    explanation: "The file holds only whitespace and comments, or no YAML document at all. A workflow needs at least 'id', 'name', 'nodes' and 'edges'.",
  },
  OSOP1005: {
    title: 'YAML syntax error',
    severity: 'error',
    explanation: "The YAML parser refused the text (the message is the parser's, at the position where it stopped), or YAML aliases repeat more than the loader allows (10,000 alias uses, 1,000,000 values). Fix the syntax at the position shown; write repeated parts out instead of aliasing them.",
  },
  OSOP1006: {
    title: 'The document is not a mapping',
    severity: 'error',
    explanation: "The top-level YAML value is a list, a string or a number, but a workflow is a mapping with keys such as 'id', 'name', 'nodes' and 'edges'.",
  },
  OSOP1007: {
    title: 'Duplicate key',
    severity: 'error',
    explanation: 'The same key appears twice in one mapping; YAML would keep only one of the two, so the file is refused rather than read with a guess. Remove or rename one of them.',
  },
  OSOP1008: {
    title: 'File too large',
    severity: 'error',
    explanation: 'The file is over 4 MiB and is refused before it is parsed: Step Functions accepts definitions of at most 1 MB, so such a file cannot become a state machine. Split it into sub-workflows (workflow_ref).',
  },
  OSOP1009: {
    title: 'Invalid UTF-8',
    severity: 'error',
    explanation: 'The file is not valid UTF-8 (it is never decoded with replacement characters); the message gives the byte offset and line of the first bad byte. Save the file as UTF-8.',
  },
  OSOP1010: {
    title: 'Nesting too deep',
    severity: 'error',
    explanation: 'Maps and lists are nested more than 100 levels deep (or too deeply for the parser to read). Workflows nest a few levels; flatten the structure.',
  },

  // ---- normalise
  OSOP2001: {
    title: 'Missing field',
    severity: 'error',
    explanation:
      "A required field is missing: a missing or empty 'nodes', missing 'edges' when there are several nodes, or a required field of a node or edge (id, type, from, to). (A field with a default is OSOP2012.)",
  },
  OSOP2002: {
    title: 'Wrong type',
    severity: 'error',
    explanation:
      "A value has the wrong type or form: a node or edge that is not a mapping, a field of the wrong type (e.g. name: 5), an HTTP method other than GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS, a switch case without 'to' or comparing with a map or list, max_polls outside 1–10001, a trigger without 'type', a test without 'id', or an edge whose 'when' and 'condition' differ.",
  },
  OSOP2003: {
    title: 'Unknown key',
    severity: 'warning',
    explanation:
      "A key the compiler does not know is ignored (with a did-you-mean suggestion when one is close); so are 'config' beside 'runtime', and 'delay' or 'interval_sec' on an edge that is not a loop edge. Fix the spelling, or prefix your own keys with 'x-' to silence the warning.",
  },
  OSOP2004: {
    title: 'Unknown node type',
    severity: 'error',
    explanation: "The node's type is none of human, agent, api, cli, db, git, docker, cicd, mcp, system, infra, data (nor event, company or gateway, which real files use). The hint suggests the closest type.",
  },
  OSOP2005: {
    title: 'Unknown edge mode',
    severity: 'error',
    explanation:
      "The edge's mode is none of sequential, conditional, parallel, loop, event, fallback, error, timeout, spawn, switch (nor dataflow or message), or its join_mode is none of wait_all, wait_any, wait_n. The hint suggests the closest mode.",
  },
  OSOP2006: {
    title: 'Bad duration',
    severity: 'error',
    explanation:
      "A duration cannot be read or is out of range: neither a number of seconds nor a duration like '30s', '10m', '1h30m'; a timeout_sec that is not positive; or a poll interval or loop-edge delay outside 1 second to 1 year (what a Wait state can wait).",
  },
  OSOP2007: {
    title: 'Bad outputs',
    severity: 'error',
    explanation:
      "A node's outputs are malformed or clash: not a list of names, of {name: ...} or of one-key path maps; an output declared twice; a name reserved by JavaScript objects (constructor, __proto__, ...); two outputs kept under the same data key; or, on a node run by CodeBuild, an output that is not an environment-variable name.",
  },
  OSOP2008: {
    title: 'Bad retry policy',
    severity: 'error',
    explanation:
      "retry_policy ({max_retries, strategy, backoff_sec}) or retry ({max_attempts or max_retries, backoff: {type, initial_delay, max_delay, multiplier}}) does not fit its schema: a value of the wrong type or out of range. The message names the field.",
  },
  OSOP2009: {
    title: 'Bad x-sfn extension',
    severity: 'error',
    explanation:
      "The x-sfn block of a node or edge is invalid: an unknown key or a value of the wrong type, both 'handler' and 'resource', 'permissions' or 'parameters' without 'resource', or a handler path that leaves the workflow's folder or does not exist.",
  },
  OSOP2010: {
    title: 'Bad inputs',
    severity: 'error',
    explanation: "The workflow's 'inputs' is neither a list (of names or {name, type}) nor a mapping of input names to schemas, or an item of the list is neither a name nor a mapping.",
  },
  OSOP2011: {
    title: 'Bad runtime',
    severity: 'error',
    explanation:
      "A node's runtime block does not fit its binding: a field of the wrong type, an MCP node with a server but no tool (or tool arguments that are not a mapping), a command that is not a string, an agent context entry that is not 'node' or 'node.output', or a db engine the RDS Data API cannot reach.",
  },

  OSOP2012: {
    title: 'Default assumed',
    severity: 'warning',
    explanation: "A field that has a default is missing, and the default is used: osop_version (1.0), the workflow's id (from the file name) or an agent's model. Write the field to make it explicit.",
  },
  OSOP2013: {
    title: 'Agent provider chosen',
    severity: 'info',
    explanation: "An agent node names no provider; the compiler chooses one (from the model name when it implies one, e.g. gpt-… is openai) and notes which. Set runtime.provider to make it explicit.",
  },

  // ---- analyse
  OSOP3001: {
    title: 'Duplicate node id',
    severity: 'error',
    explanation: "Two nodes have the same id, or ids that differ only in characters other than letters, digits and '_' (check-status and check_status keep their outputs under the same key). Node ids must be unique; the error points at the second node.",
  },
  OSOP3002: {
    title: 'Edge to an unknown node',
    severity: 'error',
    explanation: "An edge's 'from' or 'to' (or a switch case's target) names no node. The hint suggests the closest node id.",
  },
  OSOP3003: {
    title: 'No entry node',
    severity: 'error',
    explanation: 'Every node has an incoming edge and the graph falls apart into several cycles, so there is no single node to start at. Make one node the start: no edge should lead into it except loop or fallback edges.',
  },
  OSOP3004: {
    title: 'Several entry nodes that never meet',
    severity: 'error',
    explanation:
      'Several nodes have no incoming edge and their paths never meet: the file holds separate workflows, and a state machine has one start. Connect the extra entry to the rest, or move it to a workflow of its own. (Entries whose paths meet start together: OSOP3026.)',
  },
  OSOP3005: {
    title: 'Unreachable node',
    severity: 'error',
    explanation: 'A node cannot be reached from the entry node by following edges (for example, it only sits in a cycle of its own). Add an edge to it, or remove it.',
  },
  OSOP3006: {
    title: 'Unbounded cycle',
    severity: 'error',
    explanation:
      "A sequential, parallel, spawn or dataflow edge (or a for-each edge) goes back to an earlier node: the cycle has no bound. Use mode: loop with a 'when' condition, or a fallback edge. (A conditional edge that goes back is compiled as a bounded loop: OSOP3030.)",
  },
  OSOP3007: {
    title: 'Unknown reference',
    severity: 'error',
    explanation:
      "A reference in a ${...} template, a condition or an agent's context names neither a node, an output of a node, nor a workflow input; or an error edge's condition reads a field of 'error' other than name or cause; or 'loop.x' is used outside its for-each body. The hint suggests the closest name.",
  },
  OSOP3008: {
    title: 'Output may not exist yet',
    severity: 'error',
    explanation:
      'A reference reads an output of a node that does not run on every path to the reader (it may not have run, or runs later), or of a branch of a wait_any or wait_n join (it may not have finished). Read an output of a node that always runs before, or change the edges.',
  },
  OSOP3009: {
    title: 'Unknown input',
    severity: 'error',
    explanation: "'inputs.x' names an input the workflow does not declare, and a declared input has a close name, so it is taken for a typo; the hint names the declared input. (An undeclared input with no close match is read as an optional input: OSOP3025.)",
  },
  OSOP3010: {
    title: 'Unknown output',
    severity: 'error',
    explanation: "'node.x' names an output the node does not declare (or names the node alone, without an output). Fix the name, or declare the output on the node; the hint lists the node's outputs.",
  },
  OSOP3011: {
    title: 'Edge to itself ignored',
    severity: 'warning',
    explanation: "An edge other than a loop or fallback edge leads from a node to itself; it would repeat the node forever, so it is dropped. To repeat a node, use mode: loop with a 'when' condition.",
  },
  OSOP3012: {
    title: 'No else branch',
    severity: 'warning',
    explanation:
      'The conditional edges out of a node have no else branch: when none of the conditions holds, the workflow skips to where the branches meet, or ends there (successfully, or ends the parallel branch). Add an edge for the other case to make this explicit. (A plain warning: --strict does not change it.)',
  },
  OSOP3013: {
    title: 'Overlapping or constant conditions',
    severity: 'warning',
    explanation:
      'Conditions on the edges out of one node may hold at the same time (Step Functions takes the first one in file order, where OSOP would take every true edge), or a condition is always true or always false, so some edges are never taken. Make the conditions exclusive, or order the edges by priority.',
  },
  OSOP3014: {
    title: 'Duplicate edge',
    severity: 'warning',
    explanation: "The same edge (same from, to, mode and condition) appears twice; the copy is ignored.",
  },
  OSOP3015: {
    title: 'Condition on an unconditional edge',
    severity: 'warning',
    explanation: "An edge explicitly marked sequential or parallel carries a 'when' condition; it is treated as a conditional edge. Write mode: conditional.",
  },
  OSOP3016: {
    title: 'Missing condition',
    severity: 'error',
    explanation:
      "An edge lacks what its mode needs: a conditional or switch edge without 'when', a for-each edge without 'iterator_var', or a loop edge with neither 'when' nor 'for_each' (it would never stop). (A switch edge without 'cases' is OSOP3031.)",
  },
  OSOP3017: {
    title: 'Ambiguous for-each body',
    severity: 'error',
    explanation:
      "A for-each body is its target and the chain of nodes after it up to the next join; here a node in the body branches, or the node that starts the loop continues to more than one other node, so the body (or what runs after the loop) is ambiguous. Move the branching after the loop or into a node of its own.",
  },
  OSOP3018: {
    title: 'Regions do not nest',
    severity: 'error',
    explanation:
      'The branches of a fork meet before their join, a loop or fallback edge goes from inside a parallel branch back to outside it, or a fallback, error or timeout edge leaves a for-each body. Branches of a fork must meet only at one join node; a failure inside a branch or loop body must be handled inside it (or, for a loop, by the node after the loop).',
  },
  OSOP3019: {
    title: 'Reference into another parallel branch',
    severity: 'error',
    explanation: 'A node reads an output produced in another branch of the same fork; the branches run at the same time, so it has no value yet. Read it after the join.',
  },
  OSOP3020: {
    title: 'Reference to a per-item output',
    severity: 'error',
    explanation: 'A node outside a for-each loop reads an output produced inside its body; that output has one value per item, not a single value. Use it inside the loop body.',
  },
  OSOP3021: {
    title: 'Unknown sub-workflow',
    severity: 'error',
    explanation:
      "workflow_ref names a workflow that is neither imported nor in the same folder, or an entry of 'imports' cannot be loaded (missing, or it has errors) or leaves the workflow's folder. Import it, or put the workflow file next to this one.",
  },
  OSOP3022: {
    title: 'Sub-workflow cycle',
    severity: 'error',
    explanation: 'Workflows start each other in a cycle (a node starts its own workflow, or a chain of workflow_refs leads back), or sub-workflows nest more than 20 levels deep. A workflow may not (indirectly) start itself.',
  },
  OSOP3023: {
    title: 'Reading applied',
    severity: 'reading',
    explanation:
      "A loose form is read one documented way, and the warning says how: a message edge as a sequential edge, '${NAME}' of a secret listed under security.secrets as '${secrets.NAME}', a condition on a fallback or error edge as its else branch or as a conditional edge ('otherwise' alone: any failure), or a polling node without interval_sec as rounds without a pause. With --strict these readings are errors. (Defaults noted as plain warnings: OSOP3033.)",
  },
  OSOP3024: {
    title: 'Implicit output',
    severity: 'reading',
    explanation:
      "A reference names an output the node does not declare, and it is read as a field of the node's result (a response body field, a field of an agent's structured answer, ...), declared implicitly; or a bare word in a condition after an approval ('approved') is read as its decision. Declare the output (or write review.decision == 'approved') to make it explicit; with --strict this is an error.",
  },
  OSOP3025: {
    title: 'Implicit input',
    severity: 'reading',
    explanation:
      "A reference names an input the workflow does not declare ('inputs.x', or a bare name in a condition that matches no output), and it is read as an optional input of the execution. Declare it under 'inputs:'; with --strict this is an error.",
  },
  OSOP3029: {
    title: 'Optional input used without a default',
    severity: 'warning',
    explanation:
      "A template or a for-each uses an input that is optional and has no default. In a template, the node first checks the input was given and otherwise fails the execution with OSOP.Input naming it (without the check, Step Functions would fail with an uncatchable States.Runtime); a for-each over it loops over no items. Give the input a default, or make it required.",
  },
  OSOP3026: {
    title: 'Several entry nodes start together',
    severity: 'reading',
    explanation:
      'Several nodes have no incoming edge and their paths meet: they start together as parallel branches that join where they meet. Add a start node with parallel edges to them to make this explicit; with --strict this is an error. (Entries whose paths never meet: OSOP3004.)',
  },
  OSOP3027: {
    title: "Sub-workflow interface mismatch",
    severity: 'error',
    explanation:
      "A node that starts a sub-workflow does not match the child's interface: a required input of the child is not passed in workflow_inputs, an input is passed that the child does not declare, or an output is read from a node id the child does not have (a child's result is its nodes' outputs, by node id).",
  },
  OSOP3028: {
    title: 'Bad node id',
    severity: 'error',
    explanation:
      "A node id cannot name a Step Functions state: it is longer than 80 characters, contains ':' (reserved for the states the compiler adds), '${' (read as a definition substitution) or a control character, or is a name reserved by JavaScript objects (__proto__, constructor, ...). Use names like create_customer or check-status.",
  },

  OSOP3030: {
    title: 'Conditional edge back to an earlier node',
    severity: 'warning',
    explanation: "A conditional edge goes back to an earlier node: it is compiled as a loop, bounded to 10 rounds (x-sfn: { max_iterations: N } on the edge). Write mode: loop to say that this is a loop.",
  },
  OSOP3031: {
    title: 'Switch edge without cases',
    severity: 'warning',
    explanation: "A switch edge has no 'cases', so it is treated as a conditional edge (its 'when' decides). Add cases: - value: ..., to: ... and default_to.",
  },
  OSOP3032: {
    title: "Switch edge's own target ignored",
    severity: 'warning',
    explanation: "A switch edge's own 'to' names a node that none of its cases (nor default_to) routes to; the cases decide, so that target is ignored. Route a case to it, or set 'to' to one of the cases' targets.",
  },
  OSOP3033: {
    title: 'Default behaviour noted',
    severity: 'warning',
    explanation: "A node leaves something out and gets a documented default, which the warning names: an entry event node without a source or schedule deploys no EventBridge rule, and a db node that names only a table runs SELECT * on it. --strict leaves these warnings alone. Write the missing part to make it explicit.",
  },

  // ---- expressions
  OSOP4001: {
    title: 'Condition syntax error',
    severity: 'error',
    explanation:
      "A condition ('when', 'condition', 'for_each') cannot be parsed: a missing value, unbalanced brackets, an unknown operator, or nesting too deep. The position points into the expression. (A secret in a condition is OSOP4005.)",
  },
  OSOP4002: {
    title: 'Condition a Choice rule cannot express',
    severity: 'error',
    explanation:
      "The condition is valid CEL but a Step Functions Choice rule cannot express it (arithmetic, size(), conversions, searching a list held in data, ordering true/false values, comparing maps), or a for_each computes a list instead of naming one. Compute the value in a node and expose it as an output.",
  },
  OSOP4003: {
    title: 'Other dialect spelling',
    severity: 'warning',
    explanation:
      "A condition uses a spelling from another dialect, read as its CEL equivalent: 'and', 'or', 'not' for &&, ||, !; infix 'contains'; 'otherwise'; or a hyphenated name read as one node id rather than a subtraction. The hint gives the CEL spelling.",
  },
  OSOP4004: {
    title: 'Template syntax error',
    severity: 'error',
    explanation: "A ${...} template is malformed ('${' not closed, an empty or invalid reference) or cannot be built with Step Functions intrinsics. Close it with '}', or write $${ for a literal ${.",
  },
  OSOP4005: {
    title: 'Secret where its value would leak',
    severity: 'error',
    explanation:
      "A ${secrets.NAME} appears where its value would reach the execution's data (or a language model): secrets may appear only in the url, headers, query and body of api nodes, in commands, and in MCP server URLs and headers, where only the handler (or the build) resolves them, and in a custom handler's runtime (x-sfn handler), where its wrapper resolves them. Never in a condition ('when', secrets.NAME or ${secrets.NAME}): a Choice rule compares values inside the state data, which the execution history records.",
  },
  OSOP4006: {
    title: 'Unsupported namespace',
    severity: 'error',
    explanation: "A reference uses a namespace a state machine cannot read: 'env.X' (the state machine runs on AWS, not on your machine) or an unknown 'metadata.X'. Pass the value as a workflow input, or keep it in a secret.",
  },
  OSOP4007: {
    title: 'Other template syntax',
    severity: 'warning',
    explanation: "A string holds '{{...}}' (another template language) and no '${...}': it is sent as written, not filled in. OSOP interpolates ${inputs.x} and ${node.output}.",
  },

  // ---- lower
  OSOP5001: {
    title: 'Not supported yet',
    severity: 'error',
    explanation:
      'The workflow uses a construct this compiler cannot build (yet): event edges, a node that both forks and chooses by condition, a spawn of several copies, different join modes on one fork, wait_n without a valid join_count, a loop edge that goes forward, a failure edge out of a routing node, several timeout or unconditional fallback edges on one node, conditional edges beside several unconditional ones, a list mixing references with objects, or a fork too wide for Step Functions to merge. The hint suggests a rewrite.',
  },
  OSOP5002: {
    title: 'Missing URL',
    severity: 'error',
    explanation: "An api node that is to be called has no URL (runtime.url, or an absolute runtime.endpoint). Set runtime.url (the base) and runtime.endpoint (the path). An api node with neither is a manual step instead (OSOP5008).",
  },
  OSOP5003: {
    title: 'URL without a literal origin',
    severity: 'error',
    explanation:
      'The URL of an api node does not start with a literal http(s) origin written in the workflow: the host may not come from data, so that a secret cannot be sent elsewhere. Write the scheme and host literally; references may follow in the path and query (a URL that is a whole secret, ${secrets.URL}, is allowed).',
  },
  OSOP5004: {
    title: 'Unsupported agent provider',
    severity: 'error',
    explanation: 'An agent node names a provider this compiler cannot call. Supported providers: anthropic, openai, google.',
  },
  OSOP5006: {
    title: 'State name too long',
    severity: 'error',
    explanation: "A state name the compiler makes (a node id plus a suffix such as ':route') is longer than Step Functions' 80 characters. Shorten the node id. (Two states with the same name: OSOP5017.)",
  },
  OSOP5007: {
    title: "Key ending in '.$'",
    severity: 'error',
    explanation: "A key in a payload written in the workflow (a request body or query, MCP tool arguments, x-sfn parameters, an event's detail) ends in '.$', which Step Functions reads as a path reference. Rename the key.",
  },
  OSOP5008: {
    title: 'Manual step',
    severity: 'reading',
    explanation:
      "A node has nothing the compiler can run (an api node without URL, a cli node without command, ...): it becomes a manual step, and the execution waits until someone completes it with 'osop-sfn complete'. The hint says how to automate it. With --strict (strict: true in the construct) manual steps are errors.",
  },
  OSOP5009: {
    title: 'Timeout raised to the CodeBuild minimum',
    severity: 'warning',
    explanation: "A node run on CodeBuild (a command of a cli, git, docker, cicd or infra node) has a timeout under CodeBuild's shortest build timeout, 5 minutes; the build's timeout is raised to 5 minutes.",
  },
  OSOP5010: {
    title: 'Definition too large',
    severity: 'error',
    explanation:
      "The state machine definition would exceed Step Functions' limit of 1,048,576 bytes: measured after compiling, estimated up front from the number of nodes, or because loop and fallback cycles nest too deeply. Split the workflow into sub-workflows (workflow_ref), or shorten long texts (prompts, comments).",
  },
  OSOP5011: {
    title: 'Secret sent over plain http',
    severity: 'warning',
    explanation: 'An api node sends a secret (in its URL, headers, query or body) to a plain http:// origin (other than localhost), where anyone on the way can read it. Use https.',
  },
  OSOP5012: {
    title: 'Fail cause too long',
    severity: 'error',
    explanation:
      "A Fail state's Cause would be longer than the 32,768 characters CreateStateMachine accepts (for example, the Fail state for a missing required input names the input and the workflow). Shorten the names or texts the failure carries.",
  },
  OSOP5014: {
    title: 'Loop may outgrow the execution history',
    severity: 'warning',
    explanation:
      "A loop or fallback edge may repeat so often, or an inline for-each run over so many items, that one execution would write more than the 25,000 events Step Functions keeps in its history; the execution would fail there with States.Runtime. The estimate counts the states of one round or item (a Task writes about 5 events, another state 2) times the bound. Lower the bound (x-sfn max_iterations, max_polls, max_fallbacks), run the repeated part as a sub-workflow, or let a long for-each run as a Distributed Map (x-sfn: { map: distributed }, or max_items).",
  },
  OSOP5015: {
    title: "wait_any carries the winner's outputs through a Fail Cause",
    severity: 'warning',
    explanation:
      "A wait_any fork ends with the first branch that finishes: that branch ends the Parallel state with a Fail state whose Cause carries the state's outputs (those before the fork and the branch's own) as JSON, and Step Functions keeps at most 32,768 characters of a Cause. Past that, the execution fails with States.Runtime (the local engine enforces the same cap). Keep what the branches return small: declare the outputs they need, not whole responses or long texts.",
  },
  OSOP5016: {
    title: 'api node stays on the REST handler',
    severity: 'warning',
    explanation:
      "The workflow or the node asks for a native HTTP Task (x-sfn: { http: native }), but the node uses something an HTTP Task cannot do the same way, so it stays on the REST handler (a Lambda function): a secret anywhere but one header (a connection holds one credential header), a URL that is a secret, headers Step Functions refuses in a definition, optional outputs (an HTTP Task cannot default a missing field to null), expected statuses other than any 2xx, a timeout over 60 seconds (an HTTP Task's own limit), or a node-given idempotency key with a secret. The message names the reason; docs/bindings.md lists them.",
  },

  OSOP5013: {
    title: 'Intrinsic functions nested too deep',
    severity: 'error',
    explanation:
      "A field of the definition would nest intrinsic functions (States.Format, States.JsonMerge, ...) more than 10 deep, which CreateStateMachine refuses. A final check on the compiled definition: the compiler's own constructs stay within the limit (wider forks are refused with OSOP5001), so input is not expected to reach it.",
  },

  OSOP5017: {
    title: 'Two states with the same name',
    severity: 'error',
    explanation: "Two states the compiler makes would get the same name: a node id that contains ':' can clash with a state the compiler adds (a node id plus a suffix such as ':route'). Rename the node.",
  },

  // ---- osop-sfn test
  OSOP6001: {
    title: 'Bad test case',
    severity: 'error',
    explanation: "A test of the workflow's tests: section cannot be run as written: its type is none of unit, integration, e2e, simulation; its run is not full_workflow; its target_node is not a node; or its input is not a mapping. `osop-sfn test` leaves the case out and fails.",
  },
  OSOP6002: {
    title: 'Unknown key in a test',
    severity: 'error',
    explanation: "A test, a mock, a failure injection or an expectation has a key `osop-sfn test` does not know (with a did-you-mean suggestion when one is close). Fix the spelling, or prefix your own keys with 'x-'.",
  },
  OSOP6003: {
    title: 'Bad mock',
    severity: 'error',
    explanation: "A test's mocks or failure_injection are malformed: a mocked or injected node that is not a Task node of the workflow, a mock that is not { outputs } or { error, cause }, an empty list of calls, or an injection without a mock for the calls after it.",
  },
  OSOP6004: {
    title: 'Bad expectation',
    severity: 'error',
    explanation: "A test's expect is missing, is not a mapping, says nothing to check, or holds a value of the wrong form: a status other than succeeded or failed, error or cause with status: succeeded, a path or nodes list naming states the compiled workflow does not have, or calls on nodes that are not Task nodes.",
  },
  OSOP6005: {
    title: 'No tests',
    severity: 'error',
    explanation: "`osop-sfn test` (or `mocks`) was run on a workflow without a tests: section. Add one; the README's \"Run locally\" section shows its format.",
  },
  OSOP6006: {
    title: 'Duplicate test id',
    severity: 'error',
    explanation: 'Two tests of the workflow have the same id; the second is left out. Give each test its own id.',
  },

  // ---- internal
  OSOP9000: {
    title: 'Internal compiler error',
    severity: 'error',
    explanation:
      'The compiler itself failed (an exception, not a problem of the input): the message gives the error, the hint the top of the stack, and compile() returns internalError: true. This is a bug in osop-sfn; please report it with the workflow file.',
  },
};
