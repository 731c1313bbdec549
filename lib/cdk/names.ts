/** What the default physical names are built from, at synth time. */
import { Aws, Fn, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The stack's name as text: a nested stack's own name is a deploy-time token, so its parent's name and its id stand in. */
export function stackNameOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return stack.nestedStackParent ? `${stackNameOf(stack.nestedStackParent)}-${stack.node.id}` : stack.stackName;
}

/** The UUID at the end of the stack's id (`arn:...:stack/<name>/<uuid>`): fixed while the stack lives, new when it is created again. */
export const stackUuid = (): string => Fn.select(2, Fn.split('/', Aws.STACK_ID));
