/**
 * A linear-time matcher for the (regular) regex subset: the pattern's AST compiled to a
 * Thompson NFA and simulated one code point at a time, all live states at once (a Pike
 * VM without captures). Time is O(text length × program size) whatever the pattern, so
 * it is what the TS evaluator falls back to when V8's backtracking engine could take too
 * long on a row (regex-matcher.ts). Semantics are those of regex-emit.ts: ASCII-only case
 * folding, `.` matches any code point, ^ $ at the ends of the text, \b \B with ASCII \w.
 */
import { caseClose } from './regex-emit';
import type { CodeRange, RNode } from './regex-ast';

type Inst =
  | { op: 'set'; ranges: CodeRange[]; negate: boolean; next: number }
  | { op: 'any'; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'assert'; kind: 'start' | 'end' | 'word' | 'not_word'; next: number }
  | { op: 'match' };

export class NfaTooLargeError extends Error {}

/** Builds the program; fails with NfaTooLargeError past `maxInsts` instructions. */
class Compiler {
  readonly prog: Inst[] = [];
  constructor(private readonly maxInsts: number) {}

  private add(inst: Inst): number {
    if (this.prog.length >= this.maxInsts) throw new NfaTooLargeError('pattern too large');
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  /** Emits code for `n` that continues at the returned list of holes to patch. */
  emit(n: RNode): number[] {
    switch (n.t) {
      case 'seq': {
        let holes: number[] | null = null;
        for (const item of n.items) {
          const start = this.prog.length;
          const next = this.emit(item);
          if (holes) this.patch(holes, start);
          holes = next;
        }
        if (holes) return holes;
        return [this.add({ op: 'jmp', to: -1 })];
      }
      case 'alt': {
        const holes: number[] = [];
        for (let i = 0; i < n.alts.length; i++) {
          if (i < n.alts.length - 1) {
            const split = this.add({ op: 'split', a: -1, b: -1 });
            (this.prog[split] as { a: number }).a = this.prog.length;
            holes.push(...this.emit(n.alts[i]));
            (this.prog[split] as { b: number }).b = this.prog.length;
          } else {
            holes.push(...this.emit(n.alts[i]));
          }
        }
        return holes;
      }
      case 'char':
        return [this.add({ op: 'set', ranges: caseClose([[n.cp, n.cp]]), negate: false, next: -1 })];
      case 'set':
        return [this.add({ op: 'set', ranges: caseClose(n.ranges), negate: n.negate, next: -1 })];
      case 'any':
        return [this.add({ op: 'any', next: -1 })];
      case 'assert':
        return [this.add({ op: 'assert', kind: n.kind, next: -1 })];
      case 'group':
        return this.emit(n.body);
      case 'repeat':
        return this.repeat(n.body, n.min, n.max);
    }
  }

  private repeat(body: RNode, min: number, max: number | null): number[] {
    let holes: number[] | null = null;
    const chain = (emitOne: () => number[]) => {
      const start = this.prog.length;
      const next = emitOne();
      if (holes) this.patch(holes, start);
      holes = next;
    };
    for (let i = 0; i < min; i++) chain(() => this.emit(body));
    if (max === null) {
      // L: split(body → L, out)
      chain(() => {
        const split = this.add({ op: 'split', a: -1, b: -1 });
        (this.prog[split] as { a: number }).a = this.prog.length;
        this.patch(this.emit(body), split);
        return [split];
      });
    } else {
      const outs: number[] = [];
      for (let i = min; i < max; i++) {
        chain(() => {
          const split = this.add({ op: 'split', a: -1, b: -1 });
          (this.prog[split] as { a: number }).a = this.prog.length;
          outs.push(split);
          return this.emit(body);
        });
      }
      if (holes === null) return [this.add({ op: 'jmp', to: -1 })];
      return [...(holes as number[]), ...outs];
    }
    return holes ?? [this.add({ op: 'jmp', to: -1 })];
  }

  /** Points every hole (an instruction's unset next/b/to) at `target`. */
  patch(holes: number[], target: number): void {
    for (const h of holes) {
      const inst = this.prog[h];
      if (inst.op === 'split') {
        if (inst.b === -1) inst.b = target;
        else if (inst.a === -1) inst.a = target;
      } else if (inst.op === 'jmp') inst.to = target;
      else if (inst.op !== 'match') inst.next = target;
    }
  }
}

const isWordCp = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

function inRanges(ranges: CodeRange[], c: number): boolean {
  for (const [a, b] of ranges) {
    if (c < a) return false;
    if (c <= b) return true;
  }
  return false;
}

export class Nfa {
  private constructor(private readonly prog: Inst[]) {}

  /** Compiles the AST; throws NfaTooLargeError when it would exceed maxInsts instructions. */
  static compile(ast: RNode, maxInsts: number): Nfa {
    const c = new Compiler(maxInsts);
    const holes = c.emit(ast);
    const match = c.prog.length;
    c.prog.push({ op: 'match' });
    c.patch(holes, match);
    return new Nfa(c.prog);
  }

  get size(): number {
    return this.prog.length;
  }

  /** Does the pattern match anywhere in `text`? */
  test(text: string): boolean {
    const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
    const n = this.prog.length;
    const mark = new Int32Array(n).fill(-1);
    let clist: number[] = [];
    let nlist: number[] = [];
    // Adds pc and everything reachable from it without consuming; true when MATCH is reached.
    const addThread = (list: number[], pc0: number, pos: number, gen: number): boolean => {
      const stack = [pc0];
      while (stack.length) {
        const pc = stack.pop()!;
        if (mark[pc] === gen) continue;
        mark[pc] = gen;
        const inst = this.prog[pc];
        switch (inst.op) {
          case 'match':
            return true;
          case 'jmp':
            stack.push(inst.to);
            break;
          case 'split':
            stack.push(inst.b, inst.a);
            break;
          case 'assert': {
            const prev = pos > 0 ? cps[pos - 1] : -1;
            const next = pos < cps.length ? cps[pos] : -1;
            const boundary = (prev >= 0 && isWordCp(prev)) !== (next >= 0 && isWordCp(next));
            const ok =
              inst.kind === 'start' ? pos === 0 : inst.kind === 'end' ? pos === cps.length : inst.kind === 'word' ? boundary : !boundary;
            if (ok) stack.push(inst.next);
            break;
          }
          default:
            list.push(pc);
        }
      }
      return false;
    };
    for (let pos = 0; pos <= cps.length; pos++) {
      // unanchored search: a new thread may start at every position
      if (addThread(clist, 0, pos, pos)) return true;
      if (pos === cps.length) break;
      const c = cps[pos];
      nlist = [];
      for (const pc of clist) {
        const inst = this.prog[pc];
        const ok = inst.op === 'any' || (inst.op === 'set' && inRanges(inst.ranges, c) !== inst.negate);
        if (ok && addThread(nlist, (inst as { next: number }).next, pos + 1, pos + 1)) return true;
      }
      [clist, nlist] = [nlist, clist];
    }
    return false;
  }
}
