/* libauthnull.so.0 -- a Courier authlib module that accepts every "login" at once,
 * for bench/run-courier-bench: authdaemond with authmodulelist="authnull" is the
 * ceiling of what authdaemond (fork-per-worker, one request per connection) can
 * answer on this machine.  Never install it: it lets anyone in with any password.
 *
 * Same host contract as courier-authmodule/module.cpp: courier_authnull_init()
 * returns a struct authstaticinfo; auth answers the callback's value for a
 * "login" request (an account with uid/gid 5000 under /var/mail/vhosts, like the
 * benchmark's directory) and -1 (not mine) for anything else. */
#include <courierauth.h>
#include <courierauthstaticlist.h>
#include <string.h>

static int auth_null(const char *service, const char *authtype, char *authdata,
		     int (*callback)(struct authinfo *, void *), void *arg)
{
	static const uid_t uid = 5000;
	struct authinfo ai;
	char *newline;

	(void)service;
	if (authtype == NULL || strcmp(authtype, "login") != 0 || authdata == NULL)
		return -1;
	newline = strchr(authdata, '\n'); /* authdata is "login\npassword\n" */
	if (newline == NULL)
		return -1;
	*newline = '\0';
	memset(&ai, 0, sizeof ai);
	ai.sysuserid = &uid;
	ai.sysgroupid = 5000;
	ai.homedir = "/var/mail/vhosts";
	ai.address = authdata;
	ai.maildir = "/var/mail/vhosts/null/";
	return (*callback)(&ai, arg);
}

static int pre_null(const char *userid, const char *service,
		    int (*callback)(struct authinfo *, void *), void *arg)
{
	(void)userid; (void)service; (void)callback; (void)arg;
	return -1;
}

static void cleanup_null(void) {}

static int changepwd_null(const char *service, const char *userid, const char *old_password,
			  const char *new_password)
{
	(void)service; (void)userid; (void)old_password; (void)new_password;
	return -1;
}

static void enumerate_null(void (*callback)(const char *, uid_t, gid_t, const char *,
					    const char *, const char *, void *),
			   void *arg)
{
	(*callback)(NULL, 0, 0, NULL, NULL, NULL, arg);
}

static struct authstaticinfo null_info = {
	"authnull", auth_null, pre_null, cleanup_null, changepwd_null, NULL, enumerate_null,
};

struct authstaticinfo *courier_authnull_init(void);
struct authstaticinfo *courier_authnull_init(void)
{
	return &null_info;
}
