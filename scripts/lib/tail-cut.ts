/**
 * Where the frozen trunk ends. TAIL_CUT is the output of the backbone's last PReLU (7x7x512),
 * before its global depthwise conv (GDC) and linear embedding layer; EMBEDDING_CUT is the GDC's
 * output (512), before the linear layer alone. Activations are cached at TAIL_CUT and carried to
 * EMBEDDING_CUT when only the linear layer is trained (about 50x faster on the pure-JS backend).
 */
export const TAIL_CUT = '507';
export const EMBEDDING_CUT = '662';
