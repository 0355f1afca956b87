import { openFacegateDb } from '../store/db';
import { onChange, type StoreChangeKind } from '../store/changes';
import { countUnsealed } from '../store/people';
import { CameraSession } from './camera.svelte';
import { errorText } from './error-text';
import { FaceSession } from './face-session.svelte';
import { FinetuneController } from './finetune.svelte';
import { Notices } from './notices.svelte';
import { People } from './people.svelte';
import { Router, type HashHost } from './router.svelte';
import { AppSettings } from './settings.svelte';
import { VaultAccess } from './vault-access';
import { VaultSession } from './vault.svelte';
import { VaultLock } from './vault-lock';

/** One owner per concern; each screen takes only the ones it uses (context.ts). */
export interface Owners {
  readonly notices: Notices;
  readonly router: Router;
  readonly vault: VaultSession;
  readonly settings: AppSettings;
  readonly lock: VaultLock;
  readonly camera: CameraSession;
  readonly finetune: FinetuneController;
  readonly people: People;
  readonly access: VaultAccess;
  readonly face: FaceSession;
}

/** Makes the owners and links them: each gets the owners it calls, in its constructor. */
export function createOwners(host: HashHost = window): Owners {
  const notices = new Notices();
  const router = new Router(host);
  const vault = new VaultSession();
  const settings = new AppSettings(vault, notices);
  const lock = new VaultLock(vault, () => settings.values.lockTimeoutSeconds);
  const camera = new CameraSession();
  const finetune = new FinetuneController();
  const people = new People(vault, notices, lock, finetune);
  settings.onKeptFaceDataChanged(() => people.reload());
  const access = new VaultAccess(vault, notices, lock, people);
  const face = new FaceSession({
    router,
    notices,
    vault,
    access,
    lock,
    settings,
    people,
    finetune,
    camera,
  });
  return { notices, router, vault, settings, lock, camera, finetune, people, access, face };
}

/** Another tab enrolled, deleted, changed a setting, failed an attempt or set the secret. */
async function changedElsewhere(owners: Owners, kind: StoreChangeKind): Promise<void> {
  try {
    if (kind === 'settings') await owners.settings.load();
    if (kind === 'lockout' || kind === 'vault') await owners.vault.refresh();
    if (kind === 'people') owners.finetune.cancel(false);
    await owners.people.reload();
  } catch (e) {
    owners.notices.show(`A change made in another tab could not be read: ${errorText(e)}`);
  }
}

/** Starts the app once mounted: routing, locking, other tabs' changes, then what is stored. */
export async function startOwners(owners: Owners): Promise<void> {
  const { notices, router, vault, settings, people } = owners;
  router.start();
  owners.lock.lockWhenHidden(document);
  onChange((change) => void changedElsewhere(owners, change.kind));
  try {
    await openFacegateDb({
      onBlocked: () => {
        notices.show(
          'facegate is open in another tab with an older version. Close that tab to continue.',
        );
      },
      onBlocking: () => {
        notices.show(
          'A newer version of facegate was opened in another tab. Reload this tab to keep using it.',
        );
      },
      onTerminated: () => {
        notices.show(
          'The browser closed facegate’s storage (was site data cleared?). Reload the page.',
        );
      },
    });
    await settings.load();
    await vault.refresh();
    // Once, at start (it reads every sample): plain records beside a vault are never used.
    const ignored = vault.status === 'sealed' ? await countUnsealed() : 0;
    if (ignored > 0) {
      notices.show(
        `${ignored} stored face records are not encrypted although a passphrase is set; they are ignored (a profile edited outside facegate?).`,
      );
    }
    await people.reload();
    if (!settings.values.firstRunDone && router.bare) router.go('help');
  } catch (e) {
    notices.show(`Your enrolled people could not be read: ${errorText(e)}`);
  }
}
