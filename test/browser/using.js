// Kept apart from suite.js: a browser without explicit resource management
// cannot parse `using`, and then only this import fails (suite.js falls back
// to calling the guard's dispose method itself).

/** Holds `primitive` for one block with `using`, logging `locked()` inside and after it. */
export async function holdForOneBlock(primitive, log) {
  {
    using _ = await primitive.hold();
    log.push(`inside: ${primitive.locked()}`);
  }
  log.push(`after: ${primitive.locked()}`);
}

/** Throws from inside a `using` block; the guard still releases. */
export async function throwInsideBlock(primitive) {
  using _ = await primitive.hold();
  throw new Error("boom");
}
