import { registerSW } from 'virtual:pwa-register';

/** The service worker's state as the UI needs it: offline-ready, and an update waiting. */
export class PwaState {
  offlineReady = $state(false);
  needRefresh = $state(false);
  error = $state<string | null>(null);
  private updateSW: ((reload?: boolean) => Promise<void>) | null = null;

  start(): void {
    if (!('serviceWorker' in navigator)) return;
    this.updateSW = registerSW({
      onOfflineReady: () => {
        this.offlineReady = true;
      },
      onNeedRefresh: () => {
        this.needRefresh = true;
      },
      onRegisterError: (error: unknown) => {
        this.error = `Offline mode is unavailable: ${error instanceof Error ? error.message : String(error)}`;
      },
    });
  }

  /** Activates the waiting service worker and reloads into the new version. */
  async update(): Promise<void> {
    await this.updateSW?.(true);
  }

  dismiss(): void {
    this.needRefresh = false;
  }
}
