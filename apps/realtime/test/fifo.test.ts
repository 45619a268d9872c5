import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { Fifo } from "../src/hub/fifo";

// Long runs of pushes and shifts, so that the consumed prefix is compacted many times.
const op = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), count: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant("shift" as const), count: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant("retain" as const), modulo: fc.integer({ min: 2, max: 5 }) }),
);

test.prop([fc.array(op, { maxLength: 40 })], { numRuns: 50 })("behaves like an array used as a queue", (ops) => {
  const fifo = new Fifo<number>();
  let model: number[] = [];
  let next = 0;
  for (const step of ops) {
    if (step.kind === "push") {
      for (let i = 0; i < step.count; i++) {
        fifo.push(next);
        model.push(next++);
      }
    } else if (step.kind === "shift") {
      for (let i = 0; i < step.count; i++) expect(fifo.shift()).toBe(model.shift());
    } else {
      fifo.retain((n) => n % step.modulo !== 0);
      model = model.filter((n) => n % step.modulo !== 0);
    }
    expect(fifo.length).toBe(model.length);
    expect(fifo.peek()).toBe(model[0]);
    expect(fifo.last()).toBe(model.at(-1));
    expect(fifo.at(model.length >> 1)).toBe(model[model.length >> 1]);
    expect(fifo.slice(1, 4)).toEqual(model.slice(1, 4));
  }
  expect([...fifo]).toEqual(model);
});
