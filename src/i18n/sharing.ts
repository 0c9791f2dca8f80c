import { defineCatalog } from './catalog.ts';

/** The sharing rules (src/domain/sharing.ts): why a delivery was refused at the last moment. */
export const sharing = defineCatalog({
  ja: {
    'sharing.refused_status': '注意喚起等の状態が「{status}」のため、配信できません。',
    'sharing.refused_no_owner': 'このチャンネルは、現在どの登録組織のものでもないため、配信できません。',
    'sharing.refused_no_role': '{user} には現在役割が付与されていないため、配信できません。',
  },
  en: {
    'sharing.refused_status': 'the advisory is {status}, so it is not delivered',
    'sharing.refused_no_owner': 'the channel belongs to no registered organisation now',
    'sharing.refused_no_role': '{user} no longer holds a role',
  },
});
