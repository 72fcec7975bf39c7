// SPDX-License-Identifier: GPL-2.0
/*
 * The vendor module, the one holding KVM's code for this host (kvm_amd,
 * kvm_intel: ket_arch_vendor_name()), for the status file's
 * vendor_module: found in /sys/module at init, then kept by a module
 * notifier across reloads.  The module takes no reference on it, nor on
 * any VM (Documentation/kvm_exit_timing.rst, "Lifecycle").  Where KVM is
 * built into the kernel, as arm64's always is, there is none to watch.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>

#include "ket.h"

static const char *ket_vendor_name;
/* Compared, never dereferenced; NULL if not loaded, or built in. */
static struct module *ket_vendor;
static DEFINE_MUTEX(ket_vendor_lock);

static int ket_vendor_notify(struct notifier_block *nb, unsigned long state,
			     void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, ket_vendor_name))
		return NOTIFY_DONE;
	mutex_lock(&ket_vendor_lock);
	/*
	 * LIVE too: /sys/module/NAME appears after COMING, so a lookup by
	 * ket_vendor_init() between the two finds nothing.
	 */
	if (state == MODULE_STATE_COMING || state == MODULE_STATE_LIVE)
		WRITE_ONCE(ket_vendor, mod);
	else if (state == MODULE_STATE_GOING && ket_vendor == mod)
		WRITE_ONCE(ket_vendor, NULL);
	mutex_unlock(&ket_vendor_lock);
	return NOTIFY_OK;
}

static struct notifier_block ket_vendor_nb = {
	.notifier_call = ket_vendor_notify,
};

/* /sys/module: the kset our own module's kobject is in. */
static struct kset *ket_module_kset(void)
{
#ifdef MODULE
	return THIS_MODULE->mkobj.kobj.kset;
#else
	return module_kset;
#endif
}

/* @name: the module's, or NULL if KVM is built in. */
int ket_vendor_init(const char *name)
{
	struct kobject *kobj;
	struct module *mod;
	int ret;

	ket_vendor_name = name;
	if (!name)
		return 0;
	/* First, so that no load or unload after the lookup is missed. */
	ret = register_module_notifier(&ket_vendor_nb);
	if (ret)
		return ret;
	/* Loaded before us.  Its kobject keeps struct module allocated. */
	kobj = kset_find_obj(ket_module_kset(), ket_vendor_name);
	if (!kobj)
		return 0;
	mod = container_of(kobj, struct module_kobject, kobj)->mod;
	mutex_lock(&ket_vendor_lock);
	/* Not if it is going; and held, it cannot start to meanwhile. */
	if (mod && try_module_get(mod)) {
		WRITE_ONCE(ket_vendor, mod);
		module_put(mod);
	}
	mutex_unlock(&ket_vendor_lock);
	kobject_put(kobj);
	return 0;
}

void ket_vendor_exit(void)
{
	if (ket_vendor_name)
		unregister_module_notifier(&ket_vendor_nb);
}

/*
 * For the status file: the vendor module's name, "-" if it is not
 * loaded, "builtin" if KVM has none.
 */
const char *ket_vendor_module(void)
{
	if (!ket_vendor_name)
		return "builtin";
	return READ_ONCE(ket_vendor) ? ket_vendor_name : "-";
}
