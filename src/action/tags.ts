/**
 * Which references the image is pushed to.
 *
 * Tags for `image`:
 *  - an explicit `tag` (or a tag written in `image`, `app:1.0`) wins, minus
 *    `strip_tag_prefix` (aevea strips the explicit tag too);
 *  - else, when `tags` is given, only what `tags` says;
 *  - else the default: the commit's short SHA (`sha_length` characters), and
 *    on a git tag ref first the git tag's name minus `strip_tag_prefix`
 *    (`refs/tags/v1.2.3` with `v` → `1.2.3`; `/` and other characters a tag
 *    cannot hold become `-`, as aevea turns `release/1.0` into `release-1.0`);
 *  - plus `latest` when `tag_with_latest`.
 * The commit: GITHUB_SHA, except on pull_request events, where GITHUB_SHA
 * is GitHub's temporary test merge commit, which is in no branch and which
 * nobody can look up later: there the PR head commit from the event payload
 * is used, so the tag names a commit the author sees in the PR (what
 * docker/metadata-action does with DOCKER_METADATA_PR_HEAD_SHA=true).
 *
 * `tags` (build-push-action style): an entry with `/` or `:` is a full
 * reference (`ghcr.io/o/r:v1`, `user/app` = user/app:latest); a bare word is
 * a tag for `image`.
 *
 * Tags keep their case (Docker tags are case-sensitive: [A-Za-z0-9_.-], 1 to
 * 128 characters, not starting with `.` or `-`); repository names are
 * lowercased. Everything is checked here, before the build starts.
 */
import { DEFAULT_TAG, parseReference } from '../image/reference.js';
import { buildSha, type GithubContext } from './github-context.js';
import type { RepositoryName } from './image-name.js';
import type { Problems } from './input-error.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Why `tag` is not a valid image tag, or undefined when it is. */
export function tagProblem(tag: string): string | undefined {
  if (TAG.test(tag)) return undefined;
  if (tag.length === 0) return 'the tag is empty';
  if (tag.length > 128) return `"${tag}" is ${tag.length} characters long; a tag has at most 128`;
  if (/^[.-]/.test(tag)) return `"${tag}" starts with "${tag[0]}"; a tag starts with a letter, digit or _`;
  const bad = [...new Set(tag.replace(/[A-Za-z0-9_.-]/g, ''))].map((c) => `"${c}"`).join(', ');
  return `"${tag}" holds ${bad}; a tag holds only letters, digits, _, . and -`;
}

/** aevea's `${TAG#prefix}`: removes the prefix when the text starts with it. */
export function stripPrefix(text: string, prefix: string): string {
  return prefix && text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** A git ref name as a tag: characters a tag cannot hold become `-`. */
export function sanitizeTag(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** The commit's short SHA. */
export function shortSha(github: GithubContext, length: number): string {
  const sha = buildSha(github);
  if (!SHA.test(sha)) {
    throw new Error(
      sha
        ? `GITHUB_SHA "${sha}" is not a commit SHA; set tag to name the image`
        : 'GITHUB_SHA is not set, so there is no commit to tag the image by; set tag',
    );
  }
  return sha.slice(0, length);
}

export interface TagInputs {
  /** `tag` as written ('' when not given). */
  tag: string;
  /** `tags` entries (already split). */
  tags: readonly string[];
  tagWithLatest: boolean;
  stripTagPrefix: string;
  shaLength: number;
}

/** The tags `image` gets when neither `tag` nor `tags` says otherwise. */
export function defaultTags(github: GithubContext, inputs: TagInputs, problems: Problems): string[] {
  const tags: string[] = [];
  if (github.refType === 'tag' && github.refName) {
    const stripped = stripPrefix(github.refName, inputs.stripTagPrefix);
    const tag = sanitizeTag(stripped);
    const why = tagProblem(tag);
    if (!stripped) {
      problems.add('strip_tag_prefix', `it removes all of the git tag "${github.refName}"; shorten it`);
    } else if (why) {
      problems.add('tag', `the git tag "${github.refName}" makes no valid image tag: ${why}; set tag`);
    } else tags.push(tag);
  }
  const sha = problems.guard('tag', undefined, () => shortSha(github, inputs.shaLength));
  if (sha) tags.push(sha);
  return tags;
}

/** `tags` entry kinds. */
export function isFullReference(entry: string): boolean {
  return entry.includes('/') || entry.includes(':');
}

/** Lowercases the name part of a reference, keeping the tag's case. */
function lowercaseName(entry: string): string {
  const at = entry.indexOf('@');
  const body = at >= 0 ? entry.slice(0, at) : entry;
  const lastSlash = body.lastIndexOf('/');
  const lastColon = body.lastIndexOf(':');
  const cut = lastColon > lastSlash ? lastColon : body.length;
  return body.slice(0, cut).toLowerCase() + entry.slice(cut);
}

/**
 * All references, in order: `image`'s (explicit tag or default tags, bare
 * `tags`, latest) then the full references of `tags`; duplicates dropped.
 * The first is what the `image` output names.
 */
export function computeReferences(
  image: RepositoryName | undefined,
  inputs: TagInputs,
  github: GithubContext,
  problems: Problems,
): string[] {
  const bareTags = inputs.tags.filter((t) => !isFullReference(t));
  const fullRefs = inputs.tags.filter(isFullReference);
  const refs: string[] = [];

  const parsedFull: string[] = [];
  for (const entry of fullRefs) {
    problems.guard('tags', undefined, () => {
      if (entry.includes('@')) throw new Error(`"${entry}" holds a digest; one pushes to tags, not digests`);
      const ref = parseReference(lowercaseName(entry));
      parsedFull.push(ref.toString());
    });
  }

  if (image) {
    let explicit = inputs.tag;
    let explicitFrom = 'tag';
    if (image.tag !== undefined) {
      if (explicit && explicit !== image.tag) {
        problems.add('tag', `"${explicit}" conflicts with the tag "${image.tag}" written in image; keep one`);
      }
      explicit ||= image.tag;
      if (!inputs.tag) explicitFrom = 'image';
    }
    const tags: string[] = [];
    if (explicit) {
      const stripped = stripPrefix(explicit, inputs.stripTagPrefix);
      const why = tagProblem(stripped);
      if (!stripped) problems.add('strip_tag_prefix', `it removes all of the tag "${explicit}"; shorten it`);
      else if (why) problems.add(explicitFrom, why);
      else tags.push(stripped);
    } else if (inputs.tags.length === 0) {
      tags.push(...defaultTags(github, inputs, problems));
    }
    for (const t of bareTags) {
      const why = tagProblem(t);
      if (why) problems.add('tags', why);
      else tags.push(t);
    }
    if (inputs.tagWithLatest) tags.push(DEFAULT_TAG);
    refs.push(...tags.map((t) => `${image.name}:${t}`));
  } else {
    if (bareTags.length > 0) {
      problems.add(
        'tags',
        `"${bareTags[0]}" is a bare tag but no image is set; set image, or write full references (ghcr.io/owner/repo:${bareTags[0]})`,
      );
    }
    if (fullRefs.length === 0 && bareTags.length === 0) {
      problems.add('image', 'required: name the image (e.g. image: app), or list full references in tags');
    }
    if (inputs.tag) {
      problems.add('tag', 'has nothing to apply to: set image too (tags entries carry their own tag)');
    }
  }
  refs.push(...parsedFull);
  if (inputs.tagWithLatest && !image) {
    for (const r of parsedFull) refs.push(`${parseReference(r).name}:${DEFAULT_TAG}`);
  }
  return [...new Set(refs)];
}
