import type { Role } from '@codika/contract/operations';
import type { Member } from '@codika/contract/schemas';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, addMember, type Key, listKeys, listMembers, removeMember, updateMember } from '../api.js';
import { ErrorBox, FocusHeading, PageTitle, say, Time } from '../components.js';
import { emailHint, memberErrorHelp } from '../logic.js';
import type { PageProps } from '../router.js';

const ROLES: readonly Role[] = ['member', 'admin', 'owner'];

/**
 * The organization's people (admins and owners): list, add by e-mail with a role, change a
 * role, remove (with a confirmation naming the keys the removal revokes). The server judges
 * every change; the page only leaves out what it would refuse for a person signed in by code
 * (the owner role for an admin, an admin's controls on an owner, their own row).
 */
export function MembersPage({ session }: PageProps) {
  const [members, setMembers] = useState<Member[] | undefined>();
  const [keys, setKeys] = useState<Key[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [removing, setRemoving] = useState<Member | undefined>();
  const [busy, setBusy] = useState(false);
  const me = session.type === 'user' ? session : undefined;

  async function load() {
    const [m, k] = await Promise.all([listMembers(), listKeys()]);
    if (m.ok) setMembers(m.data.members);
    else setError(m.error);
    if (k.ok) setKeys(k.data.keys);
  }
  useEffect(() => void load(), []);

  async function change(member: Member, role: Role) {
    setError(undefined);
    const res = await updateMember(member.userId, role);
    if (!res.ok) {
      setError(res.error);
      return load();
    }
    say(`${member.email} is now ${res.data.member.role}`);
    await load();
  }

  async function remove(member: Member) {
    setBusy(true);
    setError(undefined);
    const res = await removeMember(member.userId);
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return load();
    }
    setRemoving(undefined);
    const n = res.data.revokedKeyIds.length;
    say(`Removed ${member.email}; ${n} ${n === 1 ? 'key' : 'keys'} revoked`);
    await load();
  }

  const grantable = ROLES.filter((r) => r !== 'owner' || me?.role !== 'admin');
  const keysOf = (m: Member) => keys.filter((k) => k.createdBy.userId === m.userId);

  return (
    <section>
      <PageTitle>Members of {session.organizationName}</PageTitle>
      <AddMember roles={grantable} onAdded={load} />
      {error && <ErrorBox error={error}>{memberErrorHelp(error.code) && <p>{memberErrorHelp(error.code)}</p>}</ErrorBox>}
      {removing && (
        <section class="card" aria-labelledby="remove-title" key={removing.userId}>
          <FocusHeading id="remove-title">Remove {removing.email}?</FocusHeading>
          <p>They lose access to {session.organizationName} at once, and every live key they created here is revoked with it:</p>
          {keysOf(removing).length > 0 ? (
            <ul data-testid="keys-to-revoke">
              {keysOf(removing).map((k) => (
                <li key={k.keyId}>
                  <strong>{k.name}</strong> <code>{k.keyPrefix}…</code>
                </li>
              ))}
            </ul>
          ) : (
            <p data-testid="keys-to-revoke" class="muted">
              They have no live keys.
            </p>
          )}
          <p class="warning">Adding them back later brings none of these keys back.</p>
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => remove(removing)}>
              {busy ? 'Removing…' : 'Remove member'}
            </button>
            <button type="button" class="secondary" onClick={() => setRemoving(undefined)}>
              Cancel
            </button>
          </div>
        </section>
      )}
      {!members && !error && <p class="muted">Loading members…</p>}
      {members && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label="Members">
          <table class="members">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Live keys</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = m.userId === me?.userId;
                // What the server would refuse a person signed in by code (a key's role is the server's to know).
                const outranked = me?.role === 'admin' && m.role === 'owner';
                // An owner may step down (the server refuses the last one: LAST_OWNER, explained inline).
                const mayChange = !outranked && (!self || m.role === 'owner');
                return (
                  <tr key={m.userId} data-user-id={m.userId}>
                    <td>
                      <strong>{m.email}</strong>
                      {self && <span class="badge">you</span>}
                    </td>
                    <td>
                      {mayChange ? (
                        <RoleChange member={m} roles={self ? ['admin', 'member', 'owner'] : grantable} onChange={change} />
                      ) : (
                        m.role
                      )}
                    </td>
                    <td class="dates">
                      <Time iso={m.joinedAt} />
                    </td>
                    <td class="dates">
                      <Time iso={m.lastSignInAt} empty="never" />
                    </td>
                    <td>{m.liveKeyCount}</td>
                    <td class="row-actions">
                      {!self && !outranked && (
                        <button type="button" class="secondary" aria-label={`Remove ${m.email}`} onClick={() => setRemoving(m)}>
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

function RoleChange({
  member,
  roles,
  onChange,
}: {
  member: Member;
  roles: readonly Role[];
  onChange: (m: Member, r: Role) => void;
}) {
  const [role, setRole] = useState<Role>(member.role);
  const choices = roles.includes(member.role) ? roles : [member.role, ...roles];
  return (
    <span class="inline">
      <select aria-label={`Role of ${member.email}`} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
        {ROLES.filter((r) => choices.includes(r)).map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button
        type="button"
        class="secondary"
        disabled={role === member.role}
        aria-label={`Change role of ${member.email}`}
        onClick={() => onChange(member, role)}
      >
        Change
      </button>
    </span>
  );
}

function AddMember({ roles, onAdded }: { roles: readonly Role[]; onAdded: () => Promise<void> }) {
  const [hint, setHint] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const email = useRef<HTMLInputElement>(null);
  const role = useRef<HTMLSelectElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const address = email.current?.value.trim() ?? '';
    const problem = emailHint(address);
    setHint(problem);
    setError(undefined);
    if (problem) return email.current?.focus();
    setBusy(true);
    const res = await addMember(address, (role.current?.value ?? 'member') as Role);
    setBusy(false);
    if (!res.ok) return setError(res.error);
    if (email.current) email.current.value = '';
    say(`Added ${res.data.member.email} as ${res.data.member.role}; they sign in with a code sent to that address`);
    await onAdded();
  }

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="add-title">
      <h2 id="add-title">Add a member</h2>
      <div class="inline">
        <span>
          <label for="member-email">E-mail address</label>
          <input
            id="member-email"
            ref={email}
            type="email"
            autocomplete="off"
            spellcheck={false}
            aria-invalid={hint ? 'true' : undefined}
            aria-describedby={hint ? 'member-email-hint' : undefined}
          />
        </span>
        <span>
          <label for="member-role">Role</label>
          <select id="member-role" ref={role}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </span>
      </div>
      {hint && (
        <p id="member-email-hint" class="field-error">
          {hint}
        </p>
      )}
      <p class="muted small">
        Someone new gets an account; they sign in to the dashboard or the CLI with a code e-mailed to them.
      </p>
      {error && <ErrorBox error={error}>{memberErrorHelp(error.code) && <p>{memberErrorHelp(error.code)}</p>}</ErrorBox>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add member'}
        </button>
      </div>
    </form>
  );
}
