/**
 * Error bodies of the fake Mattermost server: ids and English messages as the server sends them
 * (server/i18n/en.json), and the built-in slash command triggers custom commands may not reuse.
 */
/** A Mattermost error body (spec: components.schemas.AppError, plus detailed_error as the server sends it). */
export interface MmAppError {
  id: string;
  message: string;
  detailed_error: string;
  request_id: string;
  status_code: number;
}

/** Error ids and messages the server uses (i18n/en.json). */
export const MM_ERRORS = {
  session: ['api.context.session_expired.app_error', 'Invalid or expired session, please login again.'],
  permissions: ['api.context.permissions.app_error', 'You do not have the appropriate permissions.'],
  notFound: ['api.context.404.app_error', 'Sorry, we could not find the page.'],
  // the server's answer while it sheds load (app/server.go, ServerBusy)
  serverBusy: [
    'api.context.server_busy.app_error',
    'Server is busy, non-critical services are temporarily unavailable.',
  ],
  invalidBody: ['api.context.invalid_body_param.app_error', 'Invalid or missing {name} in request body.'],
  userMissing: ['app.user.missing_account.const', 'Unable to find the user.'],
  channelMissing: ['app.channel.get.existing.app_error', 'Unable to find the existing channel.'],
  channelByName: ['app.channel.get_by_name.missing.app_error', 'Channel does not exist.'],
  teamByName: ['app.team.get_by_name.missing.app_error', 'Unable to find the existing team.'],
  postMissing: ['app.post.get.app_error', 'Unable to get the post.'],
  // {name} is the limit in seconds (params timeLimit)
  editTimeLimit: [
    'api.post.update_post.permissions_time_limit.app_error',
    'Post edit is only allowed for {name} seconds.',
  ],
  // the id is the server's (app/command.go tryExecuteCustomCommand, MM-67142); the text is ours
  siteUrlRequired: ['api.command.execute_command.site_url_required.app_error', 'Site URL is required.'],
  commandMissing: ['app.command.getcommand.app_error', 'Unable to get the command.'],
  duplicateTrigger: [
    'api.command.duplicate_trigger.app_error',
    'This trigger word is already in use. Please choose another word.',
  ],
  teamMismatch: ['api.command.team_mismatch.app_error', 'Unable to update commands across teams.'],
  triggerDecode: [
    'interactive_message.decode_trigger_id.base64_decode_failed',
    'Failed to decode base64 for trigger ID for interactive dialog.',
  ],
  triggerData: [
    'interactive_message.decode_trigger_id.missing_data',
    'Trigger ID missing required data for interactive dialog.',
  ],
  triggerExpired: ['interactive_message.decode_trigger_id.expired', 'Interactive dialog trigger expired.'],
  triggerSignature: [
    'interactive_message.decode_trigger_id.verify_signature_failed',
    'Signature verification failed of trigger ID for interactive dialog.',
  ],
} as const satisfies Record<string, readonly [string, string]>;

/** Builds an error body. */
export function appError(status: number, err: readonly [string, string], requestId: string, name = ''): MmAppError {
  return {
    id: err[0],
    message: err[1].replace('{name}', name),
    detailed_error: '',
    request_id: requestId,
    status_code: status,
  };
}

/** Built-in slash commands; a custom command may not reuse their triggers (app.CreateCommand). */
export const BUILTIN_TRIGGERS = new Set([
  'away',
  'code',
  'collapse',
  'dnd',
  'echo',
  'expand',
  'groupmsg',
  'header',
  'help',
  'invite',
  'invite_people',
  'join',
  'kick',
  'leave',
  'logout',
  'me',
  'msg',
  'mute',
  'offline',
  'online',
  'open',
  'purpose',
  'remove',
  'rename',
  'search',
  'settings',
  'shortcuts',
  'shrug',
  'status',
]);
