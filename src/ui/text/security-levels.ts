/** How Settings names each security level (math/match.ts) and what it means for a stranger. */
import type { SecurityLevel } from '../../lib/math/match';

export const SECURITY_LEVEL_TEXT: Record<SecurityLevel, { label: string; description: string }> = {
  'far_1e-3': {
    label: 'Convenient',
    description: 'About 1 in 1,000 attempts by a stranger could be accepted.',
  },
  'far_1e-4': {
    label: 'Balanced (recommended)',
    description: 'About 1 in 10,000 attempts by a stranger could be accepted.',
  },
  'far_1e-5': {
    label: 'Strict',
    description:
      'About 1 in 100,000 attempts by a stranger could be accepted; you may need a second try.',
  },
};
