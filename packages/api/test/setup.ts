import { checkOutputs } from '../src/outputs.js';

// Every answer a test sees is checked against its procedure's output schema.
checkOutputs(true);
