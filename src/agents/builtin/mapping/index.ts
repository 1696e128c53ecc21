// The built-in mapping agent's public surface: the agent itself, and table matching for `ferry init`.

export { mappingAgent, proposeMappings } from './agent.js';
export { matchTables, type TableMatch } from './match-tables.js';
