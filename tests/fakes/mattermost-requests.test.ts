import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Post } from '@mattermost/types/posts';
import { test } from 'vitest';
import {
  actionClickFor,
  dialogSubmissionFor,
  sendToBot,
  slashCommandFor,
  startResponseUrlReceiver,
} from './mattermost-requests.ts';
import { newCommand, withFake } from './mattermost-test-client.ts';

async function botStub(): Promise<{ url: string; seen: { req: IncomingMessage; body: string }[]; close: () => void }> {
  const seen: { req: IncomingMessage; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ req, body });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

test('request builders: slash command, action click, dialog submission; response_url receiver', async () => {
  const stub = await botStub();
  const receiver = await startResponseUrlReceiver();
  await withFake({}, async (fake, client) => {
    const user = fake.addUser({ username: 'ito' });
    await client.addCommand({ ...newCommand(fake.team.id, 'poc'), url: `${stub.url}/cmd` });
    const cmd = slashCommandFor(fake, { trigger: '/poc', text: 'status', user, responseUrl: receiver.newUrl() });
    assert.equal((await sendToBot(cmd.url, cmd.request)).status, 200);
    const form = new URLSearchParams(stub.seen[0]!.body);
    assert.equal(stub.seen[0]!.req.headers.authorization, `Token ${fake.commands()[0]!.token}`);
    assert.equal(form.get('command'), '/poc');
    assert.equal(form.get('team_domain'), 'csirt');
    assert.equal(form.get('user_name'), 'ito');
    assert.equal(form.get('token'), fake.commands()[0]!.token);

    const integration = { url: `${stub.url}/act`, context: { delivery: 'd1' } };
    const created = await client.createPost({
      channel_id: fake.channel.id,
      message: 'm',
      props: { attachments: [{ actions: [{ id: 'ack', name: 'Ack', integration }] }] },
    } as Partial<Post> as Post);
    const stored = fake.posts().find((p) => p.id === created.id)!;
    const click = actionClickFor(fake, { post: stored, actionId: 'ack', user });
    await sendToBot(click.url, click.request);
    const clicked = JSON.parse(stub.seen[1]!.body) as Record<string, unknown>;
    assert.deepEqual(clicked.context, { delivery: 'd1' });
    assert.equal(clicked.post_id, created.id);

    await client.raw('/actions/dialogs/open', 'post', {
      trigger_id: clicked.trigger_id,
      url: `${stub.url}/dlg`,
      dialog: { callback_id: 'cb', title: 'T', elements: [], state: 'st' },
    });
    const sub = dialogSubmissionFor(fake.dialogs[0]!, {
      channel_id: fake.channel.id,
      team_id: fake.team.id,
      submission: { a: '1' },
    });
    await sendToBot(sub.url, sub.request);
    const submitted = JSON.parse(stub.seen[2]!.body) as Record<string, unknown>;
    assert.equal(submitted.type, 'dialog_submission');
    assert.equal(submitted.state, 'st');

    const hook = form.get('response_url')!;
    for (let i = 0; i < 6; i++) {
      await fetch(hook, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: `r${i}` }),
      });
    }
    assert.deepEqual(
      receiver.received.map((r) => r.status),
      [200, 200, 200, 200, 200, 400],
    );
    assert.equal(receiver.received[0]!.response.text, 'r0');
    assert.deepEqual(fake.violations, []);
  }).finally(async () => {
    stub.close();
    await receiver.close();
  });
});
