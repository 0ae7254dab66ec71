// The agent's version, reported in `status`: the package's own, so there is one truth.
import pkg from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = pkg.version;
