import { checkOutputs } from '@taskwire/api';

// Every answer a test sees is checked against its procedure's output schema.
checkOutputs(true);
