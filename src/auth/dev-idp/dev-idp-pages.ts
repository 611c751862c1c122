import type { DemoPerson } from '../../seed/demo-people';
import { html } from '../../web/views/html';
import type { Lang } from '../../web/views/i18n';
import { page } from '../../web/views/layout';
import type { AuthorizationRequest } from './dev-idp.service';

const TEXT = {
  title: { sv: 'Demoinloggning', en: 'Demo sign-in' },
  intro: {
    sv: 'Det här är portabels utvecklingsinloggning (AUTH_DEV_IDP=on). I en riktig installation loggar du in hos kommunens inloggningstjänst, oftast med BankID. Välj vem du vill logga in som:',
    en: "This is portabel's development sign-in (AUTH_DEV_IDP=on). In a real installation you sign in at your kommun's identity provider, usually with BankID. Choose whom to sign in as:",
  },
  as: { sv: 'Logga in som {name}', en: 'Sign in as {name}' },
  other: { sv: 'Någon annan', en: 'Someone else' },
  role: { sv: 'Roll', en: 'Role' },
  kommun: { sv: 'Kommunkod (fyra siffror)', en: 'Kommun code (four digits)' },
  civicNo: {
    sv: 'Personnummer (tolv siffror, för vårdnadshavare och elever)',
    en: 'Civic number (twelve digits, for guardians and pupils)',
  },
  name: { sv: 'Namn', en: 'Name' },
  go: { sv: 'Logga in', en: 'Sign in' },
};

const ROLE_OPTIONS = ['guardian', 'pupil', 'registrar', 'dpo', 'admin'] as const;

/** The development identity provider's sign-in page: demo people, or anyone. */
export function authorizePage(
  lang: Lang,
  req: AuthorizationRequest,
  people: DemoPerson[],
  error?: string,
): string {
  const tx = (k: keyof typeof TEXT, name = '') => TEXT[k][lang].replace('{name}', name);
  const hidden = html` <input type="hidden" name="client_id" value="${req.clientId}" />
    <input type="hidden" name="redirect_uri" value="${req.redirectUri}" />
    <input type="hidden" name="state" value="${req.state}" />
    <input type="hidden" name="nonce" value="${req.nonce}" />
    <input type="hidden" name="code_challenge" value="${req.codeChallenge}" />`;
  const body = html` <p>${tx('intro')}</p>
    <ul class="cards people">
      ${people.map(
        (p) =>
          html`<li class="card">
            <form method="post" action="/dev-idp/authorize">
              ${hidden}
              <input type="hidden" name="person" value="${p.key}" />
              <p class="muted">${p.label[lang]}</p>
              <button type="submit" class="button">${tx('as', p.name)}</button>
            </form>
          </li>`,
      )}
    </ul>
    <details class="card">
      <summary>${tx('other')}</summary>
      <form method="post" action="/dev-idp/authorize" class="stack">
        ${hidden}
        <label for="role">${tx('role')}</label>
        <select id="role" name="role">
          ${ROLE_OPTIONS.map((r) => html`<option value="${r}">${r}</option>`)}
        </select>
        <label for="kommun">${tx('kommun')}</label>
        <input
          id="kommun"
          name="kommun"
          inputmode="numeric"
          pattern="[0-9]{4}"
          required
          value="${people[0]?.kommun ?? ''}"
        />
        <label for="civicNo">${tx('civicNo')}</label>
        <input id="civicNo" name="civicNo" inputmode="numeric" pattern="[0-9]{12}" autocomplete="off" />
        <label for="name">${tx('name')}</label>
        <input id="name" name="name" autocomplete="off" />
        <button type="submit" class="button">${tx('go')}</button>
      </form>
    </details>`;
  return page(
    { lang, path: '/dev-idp/authorize' },
    { title: tx('title'), body, errors: error ? [{ field: 'kommun', text: error }] : undefined },
  );
}
