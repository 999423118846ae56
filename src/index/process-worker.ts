// A worker thread of processFiles: claims chunks of files from the shared counter, processes them
// and sends back the results (see process-files.ts).
import { parentPort, workerData } from "node:worker_threads";
import { claimAndProcess, type WorkerInput } from "./process-files.js";

const { files, options, counter } = workerData as WorkerInput;
parentPort!.postMessage(claimAndProcess(files, options, counter));
