/**
 * Graph algorithms on integer vertices with adjacency lists, all iterative
 * (workflows of 10,000+ nodes must not overflow the stack) and near-linear.
 */

export type Adjacency = number[][];

/** Depth-first search from `root`: reverse postorder, and the edges that close a cycle (target on the DFS stack). */
export function depthFirst(succ: Adjacency, root: number): { rpo: number[]; visited: Uint8Array; backEdges: Set<string> } {
  const n = succ.length;
  const visited = new Uint8Array(n);
  const onStack = new Uint8Array(n);
  const post: number[] = [];
  const backEdges = new Set<string>();
  const stack: [number, number][] = [[root, 0]];
  visited[root] = 1;
  onStack[root] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [v, i] = top;
    if (i < succ[v].length) {
      top[1] = i + 1;
      const w = succ[v][i];
      if (!visited[w]) {
        visited[w] = 1;
        onStack[w] = 1;
        stack.push([w, 0]);
      } else if (onStack[w]) {
        backEdges.add(`${v}>${i}`);
      }
    } else {
      onStack[v] = 0;
      post.push(v);
      stack.pop();
    }
  }
  return { rpo: post.reverse(), visited, backEdges };
}

/**
 * Immediate dominators (Cooper, Harvey & Kennedy, "A Simple, Fast Dominance
 * Algorithm"), plus pre/post numbers of the dominator tree so that
 * "a dominates b" is an O(1) interval test.
 */
export class DominatorTree {
  readonly idom: Int32Array;
  private readonly pre: Int32Array;
  private readonly post: Int32Array;

  constructor(succ: Adjacency, root: number) {
    const n = succ.length;
    const { rpo } = depthFirst(succ, root);
    const order = new Int32Array(n).fill(-1); // position in reverse postorder
    rpo.forEach((v, i) => (order[v] = i));
    const preds: number[][] = Array.from({ length: n }, () => []);
    for (const v of rpo) for (const w of succ[v]) if (order[w] >= 0) preds[w].push(v);
    const idom = new Int32Array(n).fill(-1);
    idom[root] = root;
    const intersect = (a: number, b: number): number => {
      while (a !== b) {
        while (order[a] > order[b]) a = idom[a];
        while (order[b] > order[a]) b = idom[b];
      }
      return a;
    };
    let changed = true;
    while (changed) {
      changed = false;
      for (let k = 1; k < rpo.length; k++) {
        const v = rpo[k];
        let nd = -1;
        for (const p of preds[v]) {
          if (idom[p] < 0) continue;
          nd = nd < 0 ? p : intersect(p, nd);
        }
        if (nd >= 0 && idom[v] !== nd) {
          idom[v] = nd;
          changed = true;
        }
      }
    }
    this.idom = idom;
    // Number the dominator tree.
    const children: number[][] = Array.from({ length: n }, () => []);
    for (const v of rpo) if (v !== root && idom[v] >= 0) children[idom[v]].push(v);
    this.pre = new Int32Array(n).fill(-1);
    this.post = new Int32Array(n).fill(-1);
    let clock = 0;
    const stack: [number, number][] = [[root, 0]];
    this.pre[root] = clock++;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < children[v].length) {
        top[1] = i + 1;
        const c = children[v][i];
        this.pre[c] = clock++;
        stack.push([c, 0]);
      } else {
        this.post[v] = clock++;
        stack.pop();
      }
    }
  }

  reachable(v: number): boolean {
    return this.pre[v] >= 0;
  }

  /** True when every path from the root to `b` passes through `a` (a dominates itself). */
  dominates(a: number, b: number): boolean {
    if (this.pre[a] < 0 || this.pre[b] < 0) return false;
    return this.pre[a] <= this.pre[b] && this.post[b] <= this.post[a];
  }

  /** Depth-first number in the tree: among dominators of one vertex, the larger is the nearer. */
  depthOrder(v: number): number {
    return this.pre[v];
  }
}

/** Strongly connected components (Tarjan, iterative). Returns the component index of each vertex. */
export function stronglyConnected(succ: Adjacency): { comp: Int32Array; count: number } {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const sccStack: number[] = [];
  let counter = 0;
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] >= 0) continue;
    const work: [number, number][] = [[s, 0]];
    index[s] = low[s] = counter++;
    sccStack.push(s);
    onStack[s] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i < succ[v].length) {
        top[1] = i + 1;
        const w = succ[v][i];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          sccStack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
      } else {
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1][0];
          low[parent] = Math.min(low[parent], low[v]);
        }
        if (low[v] === index[v]) {
          let w: number;
          do {
            w = sccStack.pop()!;
            onStack[w] = 0;
            comp[w] = count;
          } while (w !== v);
          count++;
        }
      }
    }
  }
  return { comp, count };
}
