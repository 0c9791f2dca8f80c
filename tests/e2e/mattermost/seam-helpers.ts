/** Sends a post with buttons through the Mattermost seam, as the dispatcher does. */
import type { MattermostBot } from '../../helpers/mattermost.ts';

export async function deliver(bot: MattermostBot, channel: string): Promise<string> {
  const seam = bot.app.seams.get('mattermost')!;
  const r = await seam.post(
    channel,
    {
      blocks: [{ kind: 'text', text: 'Pick one' }],
      actions: [
        { label: 'Add', command: 'org add zz ja=Z en=Z' },
        { label: 'Help', command: 'help' },
      ],
    },
    'delivery-0001',
  );
  return r.ref;
}
