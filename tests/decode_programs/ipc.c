/* System V IPC: shm, sem and msg calls with their structures; prints the strace line for each. */
#include "oracle.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static const char *perm(const struct ipc_perm *p)
{
	static char buf[160];
	snprintf(buf, sizeof buf, "uid=%u, gid=%u, mode=%#03o, key=%d, cuid=%u, cgid=%u",
		 p->uid, p->gid, p->mode, p->__key, p->cuid, p->cgid);
	return buf;
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int r;

	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	expect("shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600) = %d", shm);
	void *p = shmat(shm, NULL, SHM_RDONLY);
	expect("shmat(%d, NULL, SHM_RDONLY) = %p", shm, p);
	struct shmid_ds ds;
	r = shmctl(shm, IPC_STAT, &ds);
	expect("shmctl(%d, IPC_STAT, {shm_perm={%s}, shm_segsz=%zu, shm_cpid=%d, shm_lpid=%d, shm_nattch=%lu, shm_atime=%ld, shm_dtime=%ld, shm_ctime=%ld}) = %d",
	       shm, perm(&ds.shm_perm), ds.shm_segsz, ds.shm_cpid, ds.shm_lpid, (unsigned long)ds.shm_nattch,
	       (long)ds.shm_atime, (long)ds.shm_dtime, (long)ds.shm_ctime, r);
	r = shmctl(shm, IPC_SET, &ds);
	expect("shmctl(%d, IPC_SET, {shm_perm={uid=%u, gid=%u, mode=%#03o}}) = %d", shm,
	       ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.mode, r);
	r = shmdt(p);
	expect("shmdt(%p) = %d", p, r);
	r = shmctl(shm, IPC_RMID, NULL);
	expect("shmctl(%d, IPC_RMID, NULL) = %d", shm, r);
	r = shmctl(shm, IPC_STAT, &ds);
	expect("shmctl(%d, IPC_STAT, %p) = -1 EINVAL (Invalid argument)", shm, (void *)&ds);
	r = shmctl(shm, 0x1234, NULL);
	expect("shmctl(%d, 0x1234 /* SHM_??? */, NULL) = -1 EINVAL (Invalid argument)", shm);

	int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600);
	expect("semget(IPC_PRIVATE, 2, IPC_CREAT|IPC_EXCL|0600) = %d", sem);
	struct sembuf ops[2] = {{0, 1, SEM_UNDO}, {1, 0, IPC_NOWAIT}};
	r = semop(sem, ops, 2); /* glibc: semtimedop without a timeout */
	expect("semtimedop(%d, [{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}, {sem_num=1, sem_op=0, sem_flg=IPC_NOWAIT}], 2, NULL) = %d", sem, r);
	struct timespec ts = {0, 1000};
	r = semtimedop(sem, ops, 1, &ts);
	expect("semtimedop(%d, [{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}], 1, {tv_sec=0, tv_nsec=1000}) = %d", sem, r);
	union semun arg = {.val = 5};
	r = semctl(sem, 1, SETVAL, arg);
	expect("semctl(%d, 1, SETVAL, 0x5) = %d", sem, r);
	r = semctl(sem, 1, GETVAL);
	expect("semctl(%d, 1, GETVAL, NULL) = %d", sem, r);
	struct semid_ds sds;
	arg.buf = &sds;
	r = semctl(sem, 0, IPC_STAT, arg);
	expect("semctl(%d, 0, IPC_STAT, {sem_perm={%s}, sem_otime=%ld, sem_ctime=%ld, sem_nsems=%lu}) = %d", sem,
	       perm(&sds.sem_perm), (long)sds.sem_otime, (long)sds.sem_ctime, (unsigned long)sds.sem_nsems, r);
	r = semctl(sem, 0, IPC_SET, arg);
	expect("semctl(%d, 0, IPC_SET, {sem_perm={uid=%u, gid=%u, mode=%#03o}}) = %d", sem,
	       sds.sem_perm.uid, sds.sem_perm.gid, sds.sem_perm.mode, r);
	struct seminfo si;
	arg.__buf = &si;
	r = semctl(sem, 0, IPC_INFO, arg);
	expect("semctl(%d, 0, IPC_INFO, {semmap=%d, semmni=%d, semmns=%d, semmnu=%d, semmsl=%d, semopm=%d, semume=%d, semusz=%d, semvmx=%d, semaem=%d}) = %d",
	       sem, si.semmap, si.semmni, si.semmns, si.semmnu, si.semmsl, si.semopm, si.semume, si.semusz,
	       si.semvmx, si.semaem, r);
	r = semctl(sem, 0, IPC_RMID);
	expect("semctl(%d, 0, IPC_RMID, NULL) = %d", sem, r);

	int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	expect("msgget(IPC_PRIVATE, IPC_CREAT|0600) = %d", msq);
	r = msgget(0x7ace7ace, 0);
	expect("msgget(0x7ace7ace, 000) = -1 ENOENT (No such file or directory)");
	struct {
		long mtype;
		char mtext[16];
	} msg = {1, "hello"};
	r = msgsnd(msq, &msg, 5, 0);
	expect("msgsnd(%d, {mtype=1, mtext=\"hello\"}, 5, 0) = %d", msq, r);
	r = msgrcv(msq, &msg, sizeof msg.mtext, 0, IPC_NOWAIT);
	expect("msgrcv(%d, {mtype=1, mtext=\"hello\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"}, 16, 0, IPC_NOWAIT) = %d", msq, r);
	r = msgrcv(msq, &msg, sizeof msg.mtext, 2, IPC_NOWAIT | MSG_EXCEPT);
	expect("msgrcv(%d, %p, 16, 2, MSG_EXCEPT|IPC_NOWAIT) = -1 ENOMSG (No message of desired type)", msq, (void *)&msg);
	struct msqid_ds mds;
	r = msgctl(msq, IPC_STAT, &mds);
	expect("msgctl(%d, IPC_STAT, {msg_perm={%s}, msg_stime=%ld, msg_rtime=%ld, msg_ctime=%ld, msg_qnum=%lu, msg_qbytes=%lu, msg_lspid=%d, msg_lrpid=%d}) = %d",
	       msq, perm(&mds.msg_perm), (long)mds.msg_stime, (long)mds.msg_rtime, (long)mds.msg_ctime,
	       (unsigned long)mds.msg_qnum, (unsigned long)mds.msg_qbytes, mds.msg_lspid, mds.msg_lrpid, r);
	mds.msg_qbytes = 1000;
	r = msgctl(msq, IPC_SET, &mds);
	expect("msgctl(%d, IPC_SET, {msg_perm={uid=%u, gid=%u, mode=%#03o}, msg_qbytes=1000}) = %d", msq,
	       mds.msg_perm.uid, mds.msg_perm.gid, mds.msg_perm.mode, r);
	r = msgctl(msq, IPC_RMID, NULL);
	expect("msgctl(%d, IPC_RMID, NULL) = %d", msq, r);
	return 0;
}
