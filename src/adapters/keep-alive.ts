/**
 * The HTTP(S) agents the bot's own requests share (response_url replies, the Slack Web API
 * client's posts): connections kept open between requests, a free one closed after 4 s idle.
 */
import http from 'node:http';
import https from 'node:https';

export const keepAliveAgents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 4000 }),
};
