/**
 * Imported first by local mode's commands. The AWS SDK warns on Node 20 that its releases after
 * January 2027 need Node 22; someone running `npm start` or the demo cannot act on that there, and it
 * buries the output they came for. Only that warning is dropped; every other one prints as Node would.
 */
const [printWarning] = process.listeners("warning");
if (printWarning) {
  process.removeListener("warning", printWarning);
  process.on("warning", (w) => {
    if (!w.message.startsWith("NodeVersionSupportWarning")) printWarning(w);
  });
}
