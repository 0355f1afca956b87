/** The app-wide banner: storage problems, what another tab changed, what an action could not do. */
export class Notices {
  /** The one message shown (a newer one replaces it), or null for no banner. */
  text = $state<string | null>(null);

  show(text: string): void {
    this.text = text;
  }

  dismiss(): void {
    this.text = null;
  }
}
