/**
 * Where a GitHub token may go: https://github.com/, and the GitHub
 * Enterprise server the workflow runs on (GITHUB_SERVER_URL), over https.
 * Never to any other host.
 */
export function githubUrls(env: NodeJS.ProcessEnv): string[] {
  const urls = ['https://github.com/'];
  const server = env.GITHUB_SERVER_URL;
  if (server) {
    try {
      const u = new URL(server);
      const url = `https://${u.host.toLowerCase()}/`;
      if (u.protocol === 'https:' && !urls.includes(url)) urls.push(url);
    } catch {
      // Not a URL: only github.com.
    }
  }
  return urls;
}
