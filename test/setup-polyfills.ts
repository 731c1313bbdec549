// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22); the project runs on Node 20 too.
import '../lib/local/polyfills';
