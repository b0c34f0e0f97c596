import * as L from "../src/index.js";
export const judgeEvidence = (_: Record<string, any>) => ({ valid: false });
export const judgeExport = (_: Record<string, any>) => ({ valid: false });
export const judgeCheckpoint = (_: Record<string, any>) => ({ valid: false });
void L;
