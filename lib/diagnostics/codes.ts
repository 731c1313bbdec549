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

  Internal: 'OSOP9000',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];
