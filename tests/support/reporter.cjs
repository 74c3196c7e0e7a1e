// Mocha's spec reporter, plus the one closing line CI reads: "N passed, N failed, N skipped".
// Skipped tests are listed with the reason they gave, so a reader can check each one.
"use strict";
const Mocha = require("mocha");
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class BucketwardenReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    runner.on(EVENT_TEST_PENDING, (test) => skipped.push(test.fullTitle()));
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      if (skipped.length > 0) {
        console.log("Skipped (each title says why):");
        for (const t of skipped) console.log(`  - ${t}`);
      }
      console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    });
  }
}

module.exports = BucketwardenReporter;
