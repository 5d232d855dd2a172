import { type ExecutionContext } from '@nestjs/common';

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;

/**
 * A value read once per route, that is per handler and controller (one
 * handler may serve several controllers through inheritance), from what
 * does not change once the app runs: decorator metadata, enhancers. Saves
 * the per-request reflection on the hot path.
 */
export class RouteMemo<T> {
  private readonly byHandler = new WeakMap<Handler, WeakMap<Controller, { value: T }>>();

  constructor(private readonly compute: (handler: Handler, controller: Controller) => T) {}

  /** The value for the context's route, computed on its first request. */
  of(context: ExecutionContext): T {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.byHandler.get(handler);
    if (!byController) this.byHandler.set(handler, (byController = new WeakMap()));
    let memo = byController.get(controller);
    if (!memo) byController.set(controller, (memo = { value: this.compute(handler, controller) }));
    return memo.value;
  }
}
