export { readSite, relisten, renderSiteConfig, renderUpstreams, SITE_FILE, UPSTREAMS_FILE, type SiteInput } from "./nginx-site";
export { freePort, nginxInstalled, portOpen, startSiteNginx, NGINX_BINARY, type RunningSiteNginx, type SiteNginxOptions } from "./site-nginx";
export { DEPLOY_NGINX_DIR, REPO_ROOT } from "./paths";
