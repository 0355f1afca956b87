// tfjs-core's ESM build (the only build that carries the gradient definitions) imports
// './gradients/Abs_grad' without extensions, which Node's ESM resolver refuses. This hook retries
// such relative imports with '.js' so Node scripts can train with tfjs. Browser builds use Vite.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = error && error.code;
    if (specifier.startsWith('.') && (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT')) {
      return next(specifier + '.js', context);
    }
    throw error;
  }
}`),
);
