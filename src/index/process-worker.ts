// A worker thread of processFiles: claims chunks of files from the shared counter, processes them
// and sends back the results (see process-files.ts).
import { parentPort, workerData } from "node:worker_threads";
import { claimAndProcess, type WorkerInput, type WorkerMessage } from "./process-files.js";

const { files, options, counter } = workerData as WorkerInput;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
claimAndProcess(files, options, counter, (chunk) => post({ chunk }));
post({ done: true });
